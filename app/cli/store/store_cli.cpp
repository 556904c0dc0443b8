#include "app/cli/store/store_cli.h"

#include <algorithm>
#include <iostream>

#include "core/store/store_location.h"

namespace tp::cli {

CLI::App* store_group(CLI::App& app) {
    auto existing = app.get_subcommands([](CLI::App* sub) { return sub->get_name() == "store"; });
    if (!existing.empty()) return existing.front();
    auto* group = app.add_subcommand(
        "store", "The shared SQLite store of profiles and schedules (path: --store, $TAILPRUNE_STORE, or " +
                     store::default_store_path() + ")");
    group->require_subcommand(1);
    return group;
}

std::shared_ptr<StoreArgs> add_store_options(CLI::App* cmd, bool readers) {
    auto args = std::make_shared<StoreArgs>();
    cmd->add_option("--store", args->path, "store file (default: $TAILPRUNE_STORE, else " +
                                               store::default_store_path() + ")");
    if (readers)
        cmd->add_flag("--snapshot", args->snapshot,
                      "the store is a published snapshot: open it immutable (no locks, no journal)");
    return args;
}

store::Store open_store(const StoreArgs& args, store::Mode mode) {
    if (args.snapshot) mode = store::Mode::Snapshot;
    return store::Store::open(store::resolve_store_path(args.path), mode);
}

void print_table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows) {
    std::vector<std::size_t> width(header.size());
    for (std::size_t c = 0; c < header.size(); ++c) {
        width[c] = header[c].size();
        for (const auto& r : rows) width[c] = std::max(width[c], r[c].size());
    }
    auto line = [&](const std::vector<std::string>& cells) {
        std::string out;
        for (std::size_t c = 0; c < cells.size(); ++c) {
            out += cells[c];
            if (c + 1 < cells.size()) out += std::string(width[c] - cells[c].size() + 2, ' ');
        }
        std::cout << out << "\n";
    };
    line(header);
    for (const auto& r : rows) line(r);
}

}  // namespace tp::cli
