#pragma once
// Torch-free: what the agent's commands do (docs/agent-protocol.md), on top of the profiler.
#include "core/agent/agent_session.h"
#include "core/agent/path_policy.h"

namespace tp::runtime {

class RuntimeJobHandler : public agent::JobHandler {
public:
    nlohmann::json hello() override;
    nlohmann::json run(const agent::Request& request, agent::JobContext& context) override;

private:
    // Files a request names must lie in these folders (docs/security.md).
    agent::PathPolicy paths_ = agent::default_path_policy();
};

}  // namespace tp::runtime
