#pragma once
// Internal to core/runtime, CUDA builds only (TAILPRUNE_HAS_CUDA): what training needs to know
// about a CUDA device: its name (for the model card) and whether it runs bf16 natively.
#include <string>

namespace tp::runtime {

struct CudaDeviceFacts {
    std::string name;                 // e.g. "NVIDIA H100 80GB HBM3"
    int major = 0, minor = 0;         // compute capability
    bool native_bf16 = false;         // sm_80 (Ampere) and newer
};

CudaDeviceFacts cuda_device_facts(int index);

}  // namespace tp::runtime
