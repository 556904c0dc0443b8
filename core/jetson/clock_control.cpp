#include "core/jetson/clock_control.h"

#include <cstdlib>
#include <filesystem>

#include <pwd.h>
#include <unistd.h>

namespace tp::jetson {

namespace fs = std::filesystem;

namespace {

std::string user_name() {
    if (const passwd* pw = getpwuid(geteuid()); pw && pw->pw_name) return pw->pw_name;
    if (const char* u = std::getenv("USER"); u && *u) return u;
    return "USER";
}

std::string first_line(const std::string& text) {
    std::string s = text.substr(0, text.find('\n'));
    while (!s.empty() && (s.back() == '\r' || s.back() == ' ')) s.pop_back();
    return s.substr(0, 300);
}

bool sudo_wants_permission(const std::string& err) {
    for (const char* what : {"password is required", "a terminal is required", "not in the sudoers",
                             "is not allowed to execute", "may not run sudo", "askpass"})
        if (err.find(what) != std::string::npos) return true;
    return false;
}

// Runs `jetson_clocks ARGS` as root through `sudo -n` (root itself never needs a password, so
// this holds for root too); without sudo only root can, directly.
void run_as_root(const std::string& jetson_clocks, const std::vector<std::string>& args, const std::string& what) {
    std::vector<std::string> argv;
    if (auto sudo = find_program("sudo")) {
        argv = {*sudo, "-n", "--", jetson_clocks};
    } else if (geteuid() == 0) {
        argv = {jetson_clocks};
    } else {
        throw ClockControlError("permission", "needs permission: sudo is not installed and this user is not root; "
                                              "install sudo and add this sudoers rule: " +
                                                  sudoers_rule(user_name(), jetson_clocks));
    }
    argv.insert(argv.end(), args.begin(), args.end());
    ToolRun r = run_tool(argv, 30000);
    if (!r.started) throw ClockControlError("failed", what + ": " + r.err);
    if (r.timed_out) throw ClockControlError("failed", what + " did not finish within 30 s");
    if (r.status == 0) return;
    if (argv.front() != jetson_clocks && sudo_wants_permission(r.err))
        throw ClockControlError("permission", "needs permission: add this sudoers rule: " +
                                                  sudoers_rule(user_name(), jetson_clocks) + " (sudo -n said: " +
                                                  first_line(r.err) + ")");
    throw ClockControlError("failed", what + " failed (exit " + std::to_string(r.status) + "): " +
                                          first_line(r.err.empty() ? r.out : r.err));
}

}  // namespace

const char* to_string(ClockAction action) { return action == ClockAction::Lock ? "lock" : "unlock"; }

std::string clock_state_dir() {
    if (const char* dir = std::getenv("TAILPRUNE_CLOCKS_DIR"); dir && *dir) return dir;
    const char* home = std::getenv("HOME");
    return std::string(home && *home ? home : "/tmp") + "/.cache/tailprune/clocks";
}

std::string sudoers_rule(const std::string& user, const std::string& program) {
    return user + " ALL=(root) NOPASSWD: " + program;
}

ClockControlResult control_clocks(ClockAction action, const std::string& root) {
    ClockControlResult out;
    out.action = to_string(action);
    if (!find_gpu_devfreq(root))
        throw ClockControlError("not_jetson", "no Jetson GPU here: no GPU devfreq node under " +
                                                  (fs::path(root) / "sys/class/devfreq").string());
    auto jc = find_program("jetson_clocks");
    if (!jc)
        throw ClockControlError("tool_missing", "jetson_clocks not found (PATH, /usr/bin, /usr/sbin): JetPack's "
                                                "nvidia-l4t-tools provides it");
    out.jetson_clocks = *jc;
    const fs::path dir = clock_state_dir();
    const fs::path stored = dir / "jetson_clocks_store.conf";
    out.stored_file = stored.string();
    std::error_code ec;
    if (action == ClockAction::Lock) {
        fs::create_directories(dir, ec);
        if (ec) throw ClockControlError("failed", "cannot create " + dir.string() + ": " + ec.message());
        // A state stored by an earlier lock is the board's own: storing again now would store the
        // locked clocks and make unlock-clocks restore them.
        out.reused_store = fs::exists(stored, ec);
        if (!out.reused_store) run_as_root(*jc, {"--store", stored.string()}, "jetson_clocks --store");
        run_as_root(*jc, {}, "jetson_clocks");
    } else {
        if (!fs::exists(stored, ec))
            throw ClockControlError("nothing_stored", "nothing to restore: no state stored at " + stored.string() +
                                                          " (lock-clocks stores it before locking)");
        run_as_root(*jc, {"--restore", stored.string()}, "jetson_clocks --restore");
        fs::remove(stored, ec);  // the folder is ours, so a root-owned file in it can be removed
    }
    out.after = read_board_state(root, true);
    const auto locked = out.after.locked();
    if (action == ClockAction::Lock && locked && !*locked)
        throw ClockControlError("failed", "jetson_clocks ran but the GPU's clocks are " + out.after.clocks_text());
    out.message = std::string(action == ClockAction::Lock ? "clocks locked" : "clocks restored") + ": GPU " +
                  out.after.clocks_text() + ", power mode " + out.after.power_mode_text() +
                  (action == ClockAction::Lock ? "; the earlier state is " +
                                                     std::string(out.reused_store ? "still " : "") + "stored in " +
                                                     out.stored_file + " (unlock-clocks restores it)"
                                               : std::string());
    return out;
}

}  // namespace tp::jetson
