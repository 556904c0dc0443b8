// tailprune agent: the headless measuring process behind the studio (docs/agent-protocol.md).
#include <atomic>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>

#include <unistd.h>

#include "app/cli/command_registry.h"
#include "app/cli/remote_options.h"
#include "core/agent/agent_session.h"
#include "core/agent/session_relay.h"
#include "core/agent/session_store.h"
#include "core/agent/session_worker.h"
#include "core/runtime/agent_handler.h"
#include "core/runtime/agent_self_check.h"
#include "core/platform/timing_environment.h"

namespace tp::cli {
namespace {

std::atomic<bool> g_stop{false};
void on_stop_signal(int) { g_stop = true; }

const CommandRegistrar reg(60, [](CLI::App& app) {
    auto* cmd = app.add_subcommand("agent", "Serve the JSON-lines protocol on stdin/stdout (docs/agent-protocol.md)");
    auto self_check = std::make_shared<bool>(false);
    cmd->add_flag("--self-check", *self_check,
                  "Answer hello and measure two points of a small model, print the outcome as JSON, exit 1 on failure "
                  "(what `device install` runs before putting a build in place)");
    cmd->callback([self_check] {
        if (*self_check) {
            platform::settle_allocator();
            const nlohmann::json outcome = runtime::agent_self_check();
            std::cout << outcome.dump() << std::endl;
            if (!outcome.value("ok", false))
                throw CommandError("self-check failed: " + outcome.value("error", std::string("(no reason given)")));
            return;
        }
        std::signal(SIGPIPE, SIG_IGN);  // a vanished reader is seen as a failed write, not a crash
        std::signal(SIGINT, on_stop_signal);
        std::signal(SIGTERM, on_stop_signal);
        platform::settle_allocator();
        agent::ProtocolWriter writer(agent::take_over_stdout());
        runtime::RuntimeJobHandler handler;
        agent::SessionRelay sessions(self_executable());
        agent::run_agent_session(STDIN_FILENO, writer, handler, g_stop, &sessions);
    });

    // The detached session's worker, started by the agent itself (docs/remote-devices.md).
    auto dir = std::make_shared<std::string>();
    auto* worker = app.add_subcommand("session-worker", "");  // no description: not for people
    worker->group("");
    worker->add_option("dir", *dir, "session folder")->required();
    worker->callback([dir] {
        std::signal(SIGPIPE, SIG_IGN);
        std::signal(SIGHUP, SIG_IGN);  // no terminal and its own session; a hang-up means nothing here
        std::signal(SIGINT, on_stop_signal);
        std::signal(SIGTERM, on_stop_signal);
        platform::settle_allocator();
        // The session's folder holds the sweep's checkpoint (its "output"): a sessions root set
        // outside the default folders ($TAILPRUNE_SESSIONS_DIR) must be one the job may write to.
        const char* roots = std::getenv("TAILPRUNE_AGENT_ROOTS");
        const std::string with_sessions = (roots && *roots ? std::string(roots) + ":" : std::string()) + agent::sessions_root();
        ::setenv("TAILPRUNE_AGENT_ROOTS", with_sessions.c_str(), 1);
        runtime::RuntimeJobHandler handler;
        const int status = agent::run_session_worker(*dir, handler, g_stop);
        if (status != 0) throw CommandError("session-worker: see above", status);
    });
});

}  // namespace
}  // namespace tp::cli
