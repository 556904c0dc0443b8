// tailprune store history SCHEDULE | set-status SCHEDULE STATUS
#include <iostream>

#include "app/cli/cli_util.h"
#include "app/cli/command_registry.h"
#include "app/cli/store/store_cli.h"

namespace tp::cli {
namespace {

std::string join_tokens(const std::vector<int>& tokens) {
    std::string out;
    for (int t : tokens) out += (out.empty() ? "" : " ") + std::to_string(t);
    return out;
}

const CommandRegistrar reg(63, [](CLI::App& app) {
    CLI::App* group = store_group(app);

    auto* history = group->add_subcommand("history", "Every revision of a schedule (ID or NAME)");
    auto history_args = add_store_options(history, true);
    auto history_ref = std::make_shared<std::string>();
    auto as_json = std::make_shared<bool>(false);
    history->add_option("SCHEDULE", *history_ref, "schedule id or name")->required();
    history->add_flag("--json", *as_json, "print a JSON array");
    history->callback([history_args, history_ref, as_json] {
        store::Store s = open_store(*history_args, store::Mode::ReadOnly);
        std::int64_t id = s.find_schedule(*history_ref);
        auto rows = s.schedule_history(id);
        auto stale = s.stale_reasons(id);
        if (*as_json) {
            nlohmann::json out = nlohmann::json::array();
            for (const auto& r : rows)
                out.push_back({{"revision", r.revision}, {"status", r.status}, {"author", r.author},
                               {"updated", r.updated}, {"notes", r.notes}, {"method", r.method},
                               {"tokens_after_block", r.tokens_after_block},
                               {"tuned_run_id", r.tuned_run_id ? nlohmann::json(*r.tuned_run_id) : nlohmann::json()}});
            return print_json({{"schedule_id", id}, {"revisions", out}, {"stale_reasons", stale}});
        }
        std::vector<std::vector<std::string>> table;
        for (const auto& r : rows)
            table.push_back({std::to_string(r.revision), r.status, r.author, r.updated, r.method,
                             join_tokens(r.tokens_after_block), r.notes});
        print_table({"REV", "STATUS", "AUTHOR", "UPDATED", "METHOD", "TOKENS AFTER EACH BLOCK", "NOTES"}, table);
        for (const auto& line : stale) std::cout << "STALE: " << line << "\n";
    });

    auto* set_status = group->add_subcommand("set-status", "Record a new status (a new revision): draft, approved, deployed");
    auto status_args = add_store_options(set_status);
    auto status_ref = std::make_shared<std::string>();
    auto status = std::make_shared<std::string>();
    auto author = std::make_shared<std::string>();
    set_status->add_option("SCHEDULE", *status_ref, "schedule id or name")->required();
    set_status->add_option("STATUS", *status, "draft, approved or deployed")
        ->required()
        ->check(CLI::IsMember({"draft", "approved", "deployed"}));
    set_status->add_option("--author", *author, "who made the change (default: keep the previous author)");
    set_status->callback([status_args, status_ref, status, author] {
        store::Store s = open_store(*status_args, store::Mode::ReadWrite);
        std::int64_t id = s.find_schedule(*status_ref);
        store::SavedRevision saved = s.set_status(id, *status, *author);
        std::cout << "schedule id " << saved.schedule_id << " revision " << saved.revision << ": " << *status
                  << std::endl;
    });
});

}  // namespace
}  // namespace tp::cli
