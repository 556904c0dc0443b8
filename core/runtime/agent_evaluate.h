#pragma once
// Torch-free front of the agent's `evaluate` command (agent_evaluate.cpp holds LibTorch).
#include <functional>

#include <nlohmann/json.hpp>

#include "core/agent/requests.h"

namespace tp::runtime {

// Top-1/top-5 of the request's schedule on its dataset (Fashion-MNIST; the model card names the
// input pipeline). Presets have no trained weights: that is a FormatError. Returns the protocol's
// `evaluate` result.
nlohmann::json run_evaluate(const agent::EvaluateRequest& request,
                            const std::function<void(long done, long total)>& progress,
                            const std::atomic<bool>* cancel);

}  // namespace tp::runtime
