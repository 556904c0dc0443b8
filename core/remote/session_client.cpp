#include "core/remote/session_client.h"

#include <chrono>
#include <optional>
#include <thread>

namespace tp::remote {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

void sleep_unless(double seconds, const std::atomic<bool>* interrupt) {
    const auto end = Clock::now() + std::chrono::duration<double>(seconds);
    while (Clock::now() < end) {
        if (interrupt && interrupt->load()) return;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
}

}  // namespace

bool is_outage(ConnectionFailure kind) {
    switch (kind) {
        case ConnectionFailure::LinkLost:
        case ConnectionFailure::Unreachable:
        case ConnectionFailure::Refused:
        case ConnectionFailure::Handshake:
        case ConnectionFailure::AgentExited:
        case ConnectionFailure::Other:
            return true;
        default:
            return false;
    }
}

void require_sessions(const AgentConnection& c) {
    if (c.protocol() >= kSessionsProtocol) return;
    throw ConnectionError(ConnectionFailure::Upgrade,
                          c.where() + ": the agent speaks protocol " + std::to_string(c.protocol()) +
                              "; detached sessions need protocol " + std::to_string(kSessionsProtocol) +
                              ". Upgrade the agent on the device, or run with --no-detach");
}

std::string start_session(AgentConnection& c, const std::string& cmd, const json& fields) {
    require_sessions(c);
    json job = fields;
    job["cmd"] = cmd;
    const json result = c.call("session_start", {{"job", job}});
    return result.at("session").get<std::string>();
}

FollowOutcome follow_session(const ConnectOptions& target, const std::string& id, FollowOptions& options,
                             const EventHandler& on_event, const std::atomic<bool>* interrupt, const LinkNotice& on_link) {
    FollowOutcome out;
    ConnectOptions reconnect = target;
    double wait_s = 1;
    std::optional<Clock::time_point> outage_since;
    for (int attempt = 0;; ++attempt) {
        try {
            auto c = AgentConnection::open(reconnect);
            require_sessions(*c);
            if (outage_since) {
                ++out.reattached;
                if (on_link) on_link("attached again from record " + std::to_string(options.from), 0);
            }
            outage_since.reset();
            wait_s = 1;
            // While the link is down a handshake should not wait 90 s for a prompt nobody answers.
            reconnect.handshake_timeout_s = std::min(target.handshake_timeout_s, 30.0);
            CallTimers timers{options.heartbeat_s, options.heartbeat_s > 0 ? 3 * options.heartbeat_s + 2 : 0};
            const json attach = {{"session", id}, {"from", options.from}, {"heartbeat_s", options.heartbeat_s}};
            out.result = c->call(
                "session_attach", attach,
                [&](const json& event) {
                    const auto seq = event.find("seq");
                    const std::string name = event.value("event", std::string());
                    if (name == "heartbeat" || name == "attached") return;
                    if (seq != event.end() && seq->is_number_integer()) {
                        if (seq->get<long long>() <= options.from) return;  // seen before the link dropped
                        options.from = seq->get<long long>();
                    }
                    if (on_event) on_event(event);
                },
                interrupt, timers);
            out.detached = out.result.value("detached", false);
            out.last_seq = options.from;
            return out;
        } catch (const ConnectionError& e) {
            if (!is_outage(e.kind)) throw;
            if (interrupt && interrupt->load()) {
                out.detached = true;
                out.last_seq = options.from;
                return out;
            }
            if (!outage_since) outage_since = Clock::now();
            const double down_s = std::chrono::duration<double>(Clock::now() - *outage_since).count();
            if (down_s > options.give_up_after_s) {
                if (on_link) on_link(std::string(e.what()) + "; giving up after " + std::to_string(static_cast<int>(down_s)) + " s", -1);
                out.detached = true;
                out.last_seq = options.from;
                return out;
            }
            if (on_link) on_link(std::string(e.what()) + " (link lost, session still running)", wait_s);
            sleep_unless(wait_s, interrupt);
            wait_s = std::min(wait_s * 2, 15.0);
        }
    }
}

}  // namespace tp::remote
