// tailprune device clocks|lock-clocks|unlock-clocks NAME (issue 22): a Jetson's clock state, and
// locking it on purpose (jetson_clocks --store, then jetson_clocks; --restore to undo) through
// sudo -n only. On `local` it runs here; on a device it goes through the agent (protocol 5).
#include <iostream>

#include "app/cli/cli_util.h"
#include "app/cli/command_registry.h"
#include "app/cli/remote_options.h"
#include "core/agent/client_protocol.h"
#include "core/agent/protocol.h"
#include "core/jetson/clock_control.h"

namespace tp::cli {
namespace {

using nlohmann::json;

// Prints a board state (the `clock_state` answer) as a few lines.
void print_board(const std::string& name, const json& board) {
    if (!board.value("jetson", false)) {
        std::string root = board.value("sysfs_root", std::string("/"));
        if (root.empty() || root.back() != '/') root += '/';
        std::cout << name << ": no Jetson GPU (no GPU devfreq node under " << root
                  << "sys/class/devfreq); clock state comes from NVML on desktop GPUs\n";
        return;
    }
    json hello = {{"board", board}};
    std::cout << name << ": " << agent::describe_board(hello) << "\n";
    const json gpu = board.value("gpu", json::object());
    auto num = [](const json& j, const char* key) -> std::string {
        const auto it = j.find(key);
        if (it == j.end() || !it->is_number()) return "?";
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.1f", it->get<double>());
        return buf;
    };
    std::cout << "  GPU " << gpu.value("devfreq", std::string("?")) << ": now " << num(gpu, "cur_mhz") << " MHz (min "
              << num(gpu, "min_mhz") << ", max " << num(gpu, "max_mhz") << "), governor "
              << gpu.value("governor", std::string("?")) << ", load " << num(gpu, "load_percent") << " %\n";
    for (const auto& u : gpu.value("unreadable", json::array()))
        if (u.is_string()) std::cout << "  unreadable: " << u.get<std::string>() << "\n";
    std::string temps;
    for (const auto& z : board.value("thermal_zones", json::array())) {
        if (!z.is_object()) continue;
        temps += (temps.empty() ? "" : ", ") + z.value("type", std::string("?")) + " " +
                 (z.contains("temp_c") && z["temp_c"].is_number() ? num(z, "temp_c") + " C" : std::string("unreadable"));
    }
    if (!temps.empty()) std::cout << "  temperatures: " << temps << "\n";
    if (const auto m = board.value("power_mode", json::object()); m.contains("problem"))
        std::cout << "  power mode: " << m.value("problem", std::string()) << "\n";
    if (board.contains("jetson_clocks_show") && board["jetson_clocks_show"].is_string())
        std::cout << "  " << board["jetson_clocks_show"].get<std::string>() << "\n";
}

// Runs `cmd` with `fields` on device `name`'s agent, which must speak protocol 5.
json call_clock_command(const std::string& name, const std::string& cmd, const json& fields, const std::string& what) {
    const remote::ConnectOptions options = connect_options(name);
    auto c = connect_or_fail(options);
    if (c->protocol() < agent::kClockProtocol)
        throw CommandError("the agent on " + c->where() + " speaks protocol " + std::to_string(c->protocol()) + "; " +
                               what + " needs protocol " + std::to_string(agent::kClockProtocol) +
                               ": update the agent on '" + name + "' (tailprune device install " + name + ")",
                           1);
    try {
        json result = c->call(cmd, fields);
        c->close();
        return result;
    } catch (const remote::AgentRequestError& e) {
        // "permission": the agent's message carries the sudoers rule for the device's user (exit 4).
        throw CommandError(e.what(), e.code == "permission" ? 4 : e.code == "bad_request" ? 2 : 1);
    } catch (...) {
        rethrow_as_command_error();
    }
}

json control_here(jetson::ClockAction action) {
    try {
        const auto r = jetson::control_clocks(action);
        return {{"action", r.action},           {"message", r.message},
                {"stored_file", r.stored_file}, {"reused_store", r.reused_store},
                {"jetson_clocks", r.jetson_clocks}, {"board", r.after.to_json()}};
    } catch (const jetson::ClockControlError& e) {
        throw CommandError(e.what(), e.code == "permission" ? 4 : 1);
    }
}

void add_control(CLI::App& device, jetson::ClockAction action) {
    const bool lock = action == jetson::ClockAction::Lock;
    auto name = std::make_shared<std::string>();
    auto as_json = std::make_shared<bool>(false);
    auto* cmd = device.add_subcommand(
        lock ? "lock-clocks" : "unlock-clocks",
        lock ? "Jetson: store the clock state, then lock the clocks at their maximum (jetson_clocks, through sudo -n)"
             : "Jetson: restore the clock state lock-clocks stored (jetson_clocks --restore, through sudo -n)");
    cmd->add_option("name", *name, "device name (local for this machine)")->required();
    cmd->add_flag("--json", *as_json, "print the result as JSON");
    cmd->callback([name, as_json, action, lock] {
        json result;
        if (*name == "local") {
            result = control_here(action);
        } else {
            result = call_clock_command(*name, "clocks", {{"action", lock ? "lock" : "unlock"}},
                                        lock ? "lock-clocks" : "unlock-clocks");
        }
        if (*as_json) return print_json(result);
        std::cout << *name << ": " << result.value("message", std::string()) << "\n";
    });
}

void add_show(CLI::App& device) {
    auto name = std::make_shared<std::string>();
    auto as_json = std::make_shared<bool>(false);
    auto* cmd = device.add_subcommand("clocks", "Jetson: GPU clocks, governor, power mode, lock and temperatures now");
    cmd->add_option("name", *name, "device name (local for this machine)")->required();
    cmd->add_flag("--json", *as_json, "print the state as JSON");
    cmd->callback([name, as_json] {
        json board;
        if (*name == "local") {
            const std::string root = jetson::sysfs_root();
            board = jetson::read_board_state(root, jetson::find_gpu_devfreq(root).has_value()).to_json();
        } else {
            board = call_clock_command(*name, "clock_state", json::object(), "clocks");
        }
        if (*as_json) return print_json(board);
        print_board(*name, board);
    });
}

// After device_command.cpp (order 90) made `device`.
const CommandRegistrar reg(95, [](CLI::App& app) {
    CLI::App* device = app.get_subcommand("device");
    add_show(*device);
    add_control(*device, jetson::ClockAction::Lock);
    add_control(*device, jetson::ClockAction::Unlock);
});

}  // namespace
}  // namespace tp::cli
