#include "core/runtime/agent_self_check.h"

#include <atomic>
#include <chrono>
#include <exception>

#include <fcntl.h>
#include <unistd.h>

#include "core/agent/protocol.h"
#include "core/agent/protocol_stream.h"
#include "core/runtime/agent_handler.h"

namespace tp::runtime {

using nlohmann::json;

namespace {

// The smallest request that goes through the whole measuring path: the preset DeiT-Tiny at two
// short token counts (a forward there takes well under a millisecond even on a small ARM core).
json self_check_request() {
    return {{"model", "deit_tiny_patch16_224"},
            {"scopes", json::array({"model"})},
            {"tokens", "2,3"},
            {"warmup", 1},
            {"rounds", 1},
            {"stopping", {{"min_samples", 3}, {"min_time_s", 0.0}, {"target_rel_noise", 0.5}, {"timeout_s", 10.0}}}};
}

}  // namespace

json agent_self_check() {
    const auto start = std::chrono::steady_clock::now();
    json out = {{"ok", false}};
    try {
        RuntimeJobHandler handler;
        const json hello = handler.hello();
        out["agent"] = hello.value("agent", "");
        out["protocol"] = hello.value("protocol", 0);
        out["torch"] = hello.value("torch", "");
        out["cuda"] = hello.value("capabilities", json::object()).value("cuda", false);

        // The job's events go nowhere: only its result counts here.
        const int sink = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
        agent::ProtocolWriter writer(sink);
        std::atomic<bool> cancelled{false};
        agent::JobContext context(writer, "self-check", cancelled);
        const json result = handler.run(agent::Request{"self-check", "profile", self_check_request()}, context);
        if (sink >= 0) ::close(sink);

        const json& curves = result.at("profile").at("curves");
        int points = 0;
        double forward_ms = 0;
        for (const auto& curve : curves)
            for (const auto& point : curve.at("points")) {
                ++points;
                forward_ms = point.value("median_ms", 0.0);
            }
        out["points"] = points;
        out["forward_ms"] = forward_ms;
        if (points != 2) out["error"] = "the self-check profile measured " + std::to_string(points) + " of 2 points";
        else out["ok"] = true;
    } catch (const std::exception& e) {
        out["error"] = e.what();
    }
    out["seconds"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return out;
}

}  // namespace tp::runtime
