#pragma once
// Shared by the `tailprune store ...` and `tailprune export` command files.
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "core/store/store.h"

namespace tp::cli {

// The `store` command group, created by whichever store command file registers first.
CLI::App* store_group(CLI::App& app);

// Adds --store PATH to `cmd`. The path resolves as --store, else $TAILPRUNE_STORE, else the
// per-user default (core/store/store_location.h).
struct StoreArgs {
    std::string path;
    bool snapshot = false;  // open a published snapshot read-only and immutable
};
std::shared_ptr<StoreArgs> add_store_options(CLI::App* cmd, bool readers = false);
store::Store open_store(const StoreArgs& args, store::Mode mode);

// Fixed-width table on stdout.
void print_table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows);

}  // namespace tp::cli
