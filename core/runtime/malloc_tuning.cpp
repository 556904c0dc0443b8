#include "core/runtime/malloc_tuning.h"

#include "core/platform/timing_environment.h"

namespace tp::runtime {

// This used to test __GLIBC__ before any header had defined it, so it compiled to nothing and every
// caller ran with glibc's defaults (issue 30). One setting for the whole runtime now.
void keep_freed_memory_for_reuse() { platform::settle_allocator(); }

}  // namespace tp::runtime
