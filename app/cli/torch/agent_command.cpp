// tailprune agent: the headless measuring process behind the studio (docs/agent-protocol.md).
#include <atomic>
#include <csignal>

#include <unistd.h>

#include "app/cli/command_registry.h"
#include "core/agent/agent_session.h"
#include "core/runtime/agent_handler.h"
#include "core/platform/timing_environment.h"

namespace tp::cli {
namespace {

std::atomic<bool> g_stop{false};
void on_stop_signal(int) { g_stop = true; }

const CommandRegistrar reg(60, [](CLI::App& app) {
    auto* cmd = app.add_subcommand("agent", "Serve the JSON-lines protocol on stdin/stdout (docs/agent-protocol.md)");
    cmd->callback([] {
        std::signal(SIGPIPE, SIG_IGN);  // a vanished reader is seen as a failed write, not a crash
        std::signal(SIGINT, on_stop_signal);
        std::signal(SIGTERM, on_stop_signal);
        platform::settle_allocator();
        agent::ProtocolWriter writer(agent::take_over_stdout());
        runtime::RuntimeJobHandler handler;
        agent::run_agent_session(STDIN_FILENO, writer, handler, g_stop);
    });
});

}  // namespace
}  // namespace tp::cli
