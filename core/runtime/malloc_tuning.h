#pragma once
// Torch-free: process-wide glibc malloc settings for repeated forwards. By default glibc returns
// freed blocks above 128 KiB to the OS (mmap threshold / heap trimming), so every forward of a
// model with large activations page-faults its memory back in; that cost the shipped model's
// batch-64 forward at 50 tokens 3-5x (issue 30). The runtime's entry points (evaluate, calibrate,
// profile, measure, the agent) settle it themselves; tools that run forwards of their own call this
// once at start.
namespace tp::runtime {

// platform::settle_allocator(): mmap threshold 256 MiB (32 MiB where glibc refuses more), trim
// threshold 1 GiB. Not glibc: does nothing.
void keep_freed_memory_for_reuse();

}  // namespace tp::runtime
