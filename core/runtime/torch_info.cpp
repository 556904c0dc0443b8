#include "core/runtime/torch_info.h"

#include <torch/version.h>
#include <torch/cuda.h>

namespace tp::runtime {

std::string torch_version() { return TORCH_VERSION; }
bool cuda_available() { return torch::cuda::is_available(); }

}  // namespace tp::runtime
