#pragma once
// Locking a Jetson's clocks on purpose (issue 22): `jetson_clocks --store FILE`, then
// `jetson_clocks`; unlocking is `jetson_clocks --restore FILE`. Only ever through `sudo -n` (never
// a password on a pipe, never a prompt); opt-in, never done by a sweep on its own. Qt-free.
#include <stdexcept>
#include <string>

#include "core/jetson/board_clocks.h"

namespace tp::jetson {

enum class ClockAction { Lock, Unlock };
const char* to_string(ClockAction action);

// Why clocks could not be changed: code "not_jetson", "tool_missing", "permission" (sudo wants a
// password: the message gives the sudoers rule with the real user and path), "nothing_stored"
// (unlock without an earlier lock) or "failed".
struct ClockControlError : std::runtime_error {
    ClockControlError(std::string code, const std::string& message)
        : std::runtime_error(message), code(std::move(code)) {}
    std::string code;
};

struct ClockControlResult {
    std::string action;          // lock | unlock
    std::string stored_file;     // where jetson_clocks --store keeps the state before the lock
    bool reused_store = false;   // a state stored by an earlier lock was kept (never overwritten)
    std::string jetson_clocks;   // the resolved path that ran
    BoardState after;            // read back once it ran
    std::string message;         // one line for the user
};

// Where the stored state lives: $TAILPRUNE_CLOCKS_DIR, else ~/.cache/tailprune/clocks.
std::string clock_state_dir();

// The sudoers line that lets `user` run `program` without a password.
std::string sudoers_rule(const std::string& user, const std::string& program);

// Runs it on this machine. Throws ClockControlError.
ClockControlResult control_clocks(ClockAction action, const std::string& root = sysfs_root());

}  // namespace tp::jetson
