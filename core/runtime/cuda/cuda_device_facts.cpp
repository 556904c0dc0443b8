#include "core/runtime/cuda/cuda_device_facts.h"

#include <ATen/cuda/CUDAContext.h>

namespace tp::runtime {

CudaDeviceFacts cuda_device_facts(int index) {
    const cudaDeviceProp* p = at::cuda::getDeviceProperties(index);
    CudaDeviceFacts f;
    f.name = p->name;
    f.major = p->major;
    f.minor = p->minor;
    f.native_bf16 = p->major >= 8;
    return f;
}

}  // namespace tp::runtime
