// tailprune askpass PROMPT: what OpenSSH runs as SSH_ASKPASS (docs/remote-devices.md). Asks on the
// terminal, or through the studio's socket; prints the answer for ssh. Nothing is stored.
#include "app/cli/command_registry.h"
#include "core/remote/askpass.h"

namespace tp::cli {
namespace {

const CommandRegistrar reg(92, [](CLI::App& app) {
    auto prompt = std::make_shared<std::string>();
    auto* cmd = app.add_subcommand("askpass", "Ask for an ssh key's passphrase (run by ssh as SSH_ASKPASS)");
    cmd->add_option("prompt", *prompt, "the prompt ssh shows");
    cmd->callback([prompt] {
        if (remote::run_askpass(*prompt) != 0) throw CommandError("no passphrase given (cancelled, or no terminal to ask on)");
    });
});

}  // namespace
}  // namespace tp::cli
