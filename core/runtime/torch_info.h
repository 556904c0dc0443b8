#pragma once
#include <string>

namespace tp::runtime {

// Version of the LibTorch the runtime was built against, e.g. "1.13.0".
std::string torch_version();
bool cuda_available();

}  // namespace tp::runtime
