#pragma once
// Torch-free: the CPU thread counts the runtime runs with (issue 30). LibTorch's intra-op count
// (at::set_num_threads) does not reach OpenBLAS, which otherwise starts with OPENBLAS_NUM_THREADS
// or one thread per core, and LibTorch's inter-op pool is sized once per process. Every runtime
// entry point (profile and measure benches, evaluate, calibrate, train, the agent's jobs) calls
// use_cpu_threads() before its first forward, and what it returns is recorded with the result.
//
// Default (threads = 0): kDefaultCpuThreads, i.e. one intra-op, one BLAS and one inter-op thread.
// On the 2-core machines the project measures on, a second BLAS thread shares its core with
// whatever else runs there and a forward's time then swings (issue 30: 1.8x between runs); one
// thread gives timings that mean the same thing from run to run. Ask for more with --threads N.
#include <string>

namespace tp::runtime {

inline constexpr int kDefaultCpuThreads = 1;
// The runtime's forwards never fork work onto the inter-op pool; it is sized 1 once per process.
inline constexpr int kInterOpThreads = 1;

struct CpuThreads {
    int intra_op = 0;       // at::get_num_threads() after the runtime set it
    int inter_op = 0;       // at::get_num_interop_threads()
    int blas = -1;          // openblas_get_num_threads(); -1 when the loaded BLAS is not OpenBLAS
    std::string parallel;   // LibTorch's parallel backend ("OpenMP", "native thread pool", ...)
};

// Sets LibTorch's intra-op threads and OpenBLAS's threads to `threads` (0: kDefaultCpuThreads)
// and the inter-op pool to kInterOpThreads (once per process), reads back what is in effect and
// throws std::runtime_error naming each count that differs from the request. Environment
// variables (OPENBLAS_NUM_THREADS, OMP_NUM_THREADS) do not override the request.
CpuThreads use_cpu_threads(int threads = 0);

// What is in effect now, without changing anything.
CpuThreads cpu_threads_in_effect();

// "1 intra-op, 1 inter-op, 1 BLAS (OpenMP)" for logs and reports.
std::string describe(const CpuThreads& threads);

}  // namespace tp::runtime
