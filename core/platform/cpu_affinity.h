#pragma once
// Torch-free: which CPUs this process may run on, and pinning it to one. A single-threaded timing
// that the scheduler moves between CPUs (or that lands on a different CPU in each round) picks up
// the differences between them; two programs compared in alternation should run on the same CPU
// (bench_runtime_vs_pytorch pins itself, and so the PyTorch process it starts, to one CPU).
#include <string>
#include <vector>

namespace tp::platform {

// The CPUs this process is allowed on (sched_getaffinity), ascending; empty where unreadable.
std::vector<int> allowed_cpus();

// Pins this process (and the children it starts afterwards) to `cpu`. Throws std::runtime_error
// naming the CPU and the reason when it is not allowed or the kernel refuses.
void pin_to_cpu(int cpu);

// "CPU 1 of 0-1" style description of the current affinity, for records.
std::string affinity_description();

}  // namespace tp::platform
