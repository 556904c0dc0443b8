// tailprune store init | check | publish OUT
#include <iostream>

#include "app/cli/cli_util.h"
#include "app/cli/command_registry.h"
#include "app/cli/store/store_cli.h"

namespace tp::cli {
namespace {

const CommandRegistrar reg(60, [](CLI::App& app) {
    CLI::App* group = store_group(app);

    auto* init = group->add_subcommand("init", "Create the store (or upgrade an older one) and print where it is");
    auto init_args = add_store_options(init);
    init->callback([init_args] {
        store::Store s = open_store(*init_args, store::Mode::Create);
        std::cout << s.path() << ": store ready (journal " << s.journal_mode() << ")\n";
    });

    auto* check = group->add_subcommand(
        "check", "Run SQLite's integrity and foreign-key checks and the store's own invariants; exit 1 if not clean");
    auto check_args = add_store_options(check, true);
    auto check_json = std::make_shared<bool>(false);
    check->add_flag("--json", *check_json, "print the result as JSON");
    check->callback([check_args, check_json] {
        store::Store s = open_store(*check_args, store::Mode::ReadOnly);
        std::vector<std::string> problems = s.check();
        if (*check_json) print_json({{"store", s.path()}, {"clean", problems.empty()}, {"problems", problems}});
        else if (problems.empty()) std::cout << s.path() << ": clean\n";
        for (const auto& p : problems)
            if (!*check_json) std::cout << p << "\n";
        if (!problems.empty())
            throw CommandError(s.path() + ": " + std::to_string(problems.size()) + " problem(s) found");
    });

    auto* publish = group->add_subcommand(
        "publish", "Write a consistent snapshot (VACUUM INTO) for deployment teams to open read-only");
    auto publish_args = add_store_options(publish);
    auto out = std::make_shared<std::string>();
    publish->add_option("OUT", *out, "snapshot file to create (must not exist)")->required();
    publish->callback([publish_args, out] {
        store::Store s = open_store(*publish_args, store::Mode::ReadOnly);
        s.publish(*out);
        std::cout << "published " << s.path() << " to " << *out << "\n";
    });
});

}  // namespace
}  // namespace tp::cli
