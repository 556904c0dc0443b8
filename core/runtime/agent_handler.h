#pragma once
// Torch-free: what the agent's commands do (docs/agent-protocol.md), on top of the profiler.
#include "core/agent/agent_session.h"

namespace tp::runtime {

class RuntimeJobHandler : public agent::JobHandler {
public:
    nlohmann::json hello() override;
    nlohmann::json run(const agent::Request& request, agent::JobContext& context) override;
};

}  // namespace tp::runtime
