#include "core/runtime/malloc_tuning.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace tp::runtime {

void keep_freed_memory_for_reuse() {
#if defined(__GLIBC__)
    constexpr int kThreshold = 256 * 1024 * 1024;
    mallopt(M_MMAP_THRESHOLD, kThreshold);
    mallopt(M_TRIM_THRESHOLD, kThreshold);
#endif
}

}  // namespace tp::runtime
