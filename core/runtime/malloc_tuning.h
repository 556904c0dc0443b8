#pragma once
// Torch-free: process-wide glibc malloc settings for repeated forwards. By default glibc returns
// freed blocks above 128 KiB to the OS (mmap threshold / heap trimming), so every forward of a
// model with large activations page-faults its memory back in; that costs ~20-30% of a small ViT's
// CPU forward. Call once at program start in tools that run many forwards (benches, evaluate).
namespace tp::runtime {

// Keeps freed memory in the process (mmap and trim thresholds at 256 MiB). No-op off glibc.
void keep_freed_memory_for_reuse();

}  // namespace tp::runtime
