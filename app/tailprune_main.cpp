// tailprune: the command-line tool and headless agent. Commands live in app/cli/, one file each.
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <string>

#include <CLI/CLI.hpp>

#include "app/cli/command_registry.h"
#include "core/util/format_error.h"
#include "core/remote/askpass.h"

int main(int argc, char** argv) {
    // OpenSSH runs SSH_ASKPASS with the prompt as the only argument; we set TAILPRUNE_ASKPASS=1
    // in ssh's environment so that call lands here rather than in the command parser.
    if (const char* askpass = std::getenv("TAILPRUNE_ASKPASS"); askpass && std::string(askpass) == "1" && argc == 2)
        return tp::remote::run_askpass(argv[1]);
    // A device's agent (ssh, srun) that went away is seen as a failed write to its stdin, not a
    // death by SIGPIPE: a session's heartbeat can be written just as the link drops.
    std::signal(SIGPIPE, SIG_IGN);
    CLI::App app{"tailprune — measure ViT latency staircases, find the steps, tune and apply token-pruning schedules.",
                 "tailprune"};
    app.set_version_flag("--version", std::string("tailprune ") + TAILPRUNE_VERSION);
    app.require_subcommand(1);
    app.fallthrough(false);
    tp::cli::setup_all_commands(app);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    } catch (const tp::cli::CommandError& e) {
        std::cerr << "error: " << e.what() << "\n";
        return e.exit_code;
    } catch (const tp::FormatError& e) {
        std::cerr << "error: " << e.what() << "\n";
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "error: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
