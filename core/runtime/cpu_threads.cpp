// Only <ATen/Parallel.h> (not torch/torch.h): this TU stays cheap to compile.
#include "core/runtime/cpu_threads.h"

#include <stdexcept>

#include <ATen/Parallel.h>
#include <c10/util/Exception.h>

#include "core/platform/timing_environment.h"

namespace tp::runtime {
namespace {

std::string parallel_backend() {
#if AT_PARALLEL_OPENMP
    return "OpenMP";
#elif AT_PARALLEL_NATIVE
    return "native thread pool";
#elif AT_PARALLEL_NATIVE_TBB
    return "TBB";
#else
    return "unknown";
#endif
}

}  // namespace

CpuThreads cpu_threads_in_effect() {
    CpuThreads t;
    t.intra_op = at::get_num_threads();
    t.inter_op = at::get_num_interop_threads();
    t.blas = platform::blas_threads().value_or(-1);
    t.parallel = parallel_backend();
    return t;
}

CpuThreads use_cpu_threads(int threads) {
    const int want = threads > 0 ? threads : kDefaultCpuThreads;
    at::set_num_threads(want);
    platform::set_blas_threads(want);
    // The inter-op pool can be sized only before it starts; a second attempt throws in LibTorch.
    if (at::get_num_interop_threads() != kInterOpThreads) {
        try {
            at::set_num_interop_threads(kInterOpThreads);
        } catch (const c10::Error&) {
            // Already started with another size: the check below names it.
        }
    }
    CpuThreads t = cpu_threads_in_effect();
    std::string wrong;
    auto check = [&](const char* what, int have, int asked) {
        if (have == asked) return;
        wrong += std::string(wrong.empty() ? "" : "; ") + what + " " + std::to_string(have) + " (asked for " +
                 std::to_string(asked) + ")";
    };
    check("LibTorch intra-op threads", t.intra_op, want);
    check("LibTorch inter-op threads", t.inter_op, kInterOpThreads);
    if (t.blas >= 0) check("OpenBLAS threads", t.blas, want);
    if (!wrong.empty()) throw std::runtime_error("the CPU thread counts in effect are not the ones asked for: " + wrong);
    return t;
}

std::string describe(const CpuThreads& t) {
    return std::to_string(t.intra_op) + " intra-op, " + std::to_string(t.inter_op) + " inter-op, " +
           (t.blas >= 0 ? std::to_string(t.blas) : std::string("?")) + " BLAS" +
           (t.parallel.empty() ? std::string() : " (" + t.parallel + ")");
}

}  // namespace tp::runtime
