#pragma once
// Torch-free: `tailprune agent --self-check`, what `device install` runs on a freshly built agent
// before it is put in place (docs/remote-devices.md, "Installing the agent"): the agent answers
// hello and measures two points of a small model through its own job handler, so a build whose
// LibTorch cannot load, run or time a forward is never installed.
#include <nlohmann/json.hpp>

namespace tp::runtime {

// {"ok": bool, "agent", "protocol", "torch", "cuda", "points", "forward_ms", "seconds", "error"?}.
// Never throws: a failure is ok=false with the error in words.
nlohmann::json agent_self_check();

}  // namespace tp::runtime
