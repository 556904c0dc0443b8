#pragma once
// Internal to core/runtime, CUDA builds only (TAILPRUNE_HAS_CUDA): the GPU bench behind
// make_forward_bench. Includes LibTorch through vit.h.
#include <memory>

#include "core/agent/requests.h"
#include "core/runtime/profiler_bench.h"
#include "core/runtime/vit.h"

namespace tp::runtime {

// `net` is built and loaded on the CPU in fp32; the bench moves it to the device and dtype.
std::unique_ptr<ForwardBench> make_cuda_bench(VisionTransformer net, const ModelInfo& info, const std::string& note,
                                              const agent::TimingSpec& timing);

}  // namespace tp::runtime
