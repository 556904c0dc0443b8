#include "app/cli/anywhere/calibrate_fanout.h"

#include <chrono>
#include <iomanip>
#include <iostream>
#include <map>
#include <mutex>
#include <sstream>

#include "app/cli/anywhere/evaluate_on_device.h"
#include "app/cli/command_registry.h"
#include "app/cli/remote_options.h"
#include "app/cli/slurm_connect.h"
#include "core/accuracy/calibration_fanout.h"
#include "core/model/profile_json.h"
#include "core/model/schedule.h"
#include "core/remote/agent_connection.h"

namespace tp::cli {

namespace {

using nlohmann::json;

std::string tokens_text(const std::vector<int>& tokens) {
    std::ostringstream out;
    for (std::size_t i = 0; i < tokens.size(); ++i) out << (i ? "," : "") << tokens[i];
    return out.str();
}

// One agent process behind one connection (any transport), evaluating planned schedules.
class ConnectionAgent : public FanoutAgent {
public:
    ConnectionAgent(std::unique_ptr<remote::AgentConnection> c, runtime::EvaluateOptions base, ModelInfo model,
                    const std::atomic<bool>* cancel)
        : c_(std::move(c)), base_(std::move(base)), model_(std::move(model)), cancel_(cancel) {
        const json hello = c_->hello();
        where_ = hello.value("host", json::object()).value("hostname", std::string());
        const json slurm = hello.value("slurm", json::object());
        if (!slurm.empty())
            where_ = slurm.value("node", where_) + ", Slurm job " + slurm.value("job_id", std::string("?"));
    }

    std::optional<AccuracyEvaluation> evaluate(const PlannedEvaluation& p) override {
        runtime::EvaluateOptions eo = base_;
        if (p.kind != "baseline") {
            Schedule s;
            s.model = model_;
            s.name = "calibration";
            s.method = p.method;
            s.tokens_after_block = p.tokens_after_block;
            eo.schedule = s;
            eo.method = p.method;
        }
        json result;
        try {
            result = evaluate_on(*c_, eo, {}, cancel_);
        } catch (const remote::ConnectionError& e) {
            throw FanoutAgentLost(e.what());
        } catch (const remote::AgentRequestError& e) {
            if (e.code == "cancelled" && !cancelled()) throw FanoutAgentLost(e.what());
            if (e.code == "cancelled") return std::nullopt;
            throw CommandError(e.what(), e.code == "bad_request" ? 2 : 1);
        }
        const runtime::EvaluateResult r = evaluate_result_from_json(result);
        if (cancelled()) return std::nullopt;
        // Stopped by someone else: Slurm ends a job's tasks with SIGTERM (scancel, preemption, the
        // time limit), which the agent answers with a cancelled result before it exits.
        if (r.cancelled) throw FanoutAgentLost(c_->where() + ": the agent stopped the evaluation (its Slurm job ended?)");
        return AccuracyEvaluation{p.method, p.tokens_after_block, r.top1, r.top5, static_cast<int>(r.images), r.seconds,
                                  p.kind};
    }

    std::string where() const override { return where_; }

private:
    bool cancelled() const { return cancel_ && cancel_->load(); }
    std::unique_ptr<remote::AgentConnection> c_;
    runtime::EvaluateOptions base_;
    ModelInfo model_;
    const std::atomic<bool>* cancel_;
    std::string where_;
};

}  // namespace

std::vector<std::string> split_device_names(const std::string& on) {
    std::vector<std::string> names;
    std::string cur;
    for (char ch : on + ",") {
        if (ch != ',') {
            cur += ch;
            continue;
        }
        if (!cur.empty()) names.push_back(cur);
        cur.clear();
    }
    return names;
}

bool wants_fanout(const std::string& on, int slurm_tasks) {
    if (on.empty()) return false;
    if (slurm_tasks > 0 || on.find(',') != std::string::npos) return true;
    try {
        return remote::find_device(on).is_slurm();
    } catch (const std::exception&) {
        return false;  // the usual path reports the unknown name
    }
}

std::size_t calibrate_fanned_out(const FanoutRequest& request, const ModelInfo& model,
                                 const std::vector<PlannedEvaluation>& todo, AccuracyCalibration& cal,
                                 const std::string& path, const std::function<void(const AccuracyEvaluation&)>& on_saved,
                                 const std::atomic<bool>* cancel) {
    // The slots: one agent per name, N per slurm device with --slurm-tasks N.
    struct Plan {
        std::string name;
        remote::ConnectOptions options;
    };
    std::vector<Plan> plans;
    bool any_slurm = false;
    for (const auto& name : request.devices) {
        remote::ConnectOptions o = connect_options(name);
        const int n = o.device.is_slurm() ? std::max(1, request.slurm_tasks) : 1;
        any_slurm |= o.device.is_slurm();
        // A task evaluating with T LibTorch threads asks Slurm for T CPUs.
        if (o.device.is_slurm() && request.base.threads > o.device.cpus_per_task)
            o.device.cpus_per_task = request.base.threads;
        for (int k = 0; k < n; ++k) plans.push_back({name, o});
    }
    if (plans.empty()) throw CommandError("--on: no device named", 2);
    if (request.slurm_tasks > 0 && !any_slurm)
        throw CommandError("--slurm-tasks: none of the devices in --on is a slurm device (tailprune device add NAME --slurm ...)",
                           2);
    std::map<std::string, int> count, seen;
    for (const auto& p : plans) ++count[p.name];
    std::vector<FanoutSlot> slots;
    for (const auto& p : plans) {
        const std::string label = count[p.name] > 1 ? p.name + "#" + std::to_string(++seen[p.name]) : p.name;
        remote::ConnectOptions options = p.options;
        const runtime::EvaluateOptions base = request.base;
        slots.push_back({label, [options, base, model, cancel, label](int) -> std::unique_ptr<FanoutAgent> {
                             // Each start is a connection of its own (for Slurm: a new job).
                             const remote::ConnectOptions o =
                                 options.device.is_slurm() ? with_new_slurm_job(options, cancel, label) : options;
                             try {
                                 return std::make_unique<ConnectionAgent>(remote::AgentConnection::open(o), base, model,
                                                                          cancel);
                             } catch (const remote::ConnectionError& e) {
                                 throw FanoutAgentLost(e.what());
                             }
                         }});
    }

    std::cerr << "fanned out over " << slots.size() << " agent(s):";
    for (const auto& s : slots) std::cerr << " " << s.name;
    std::cerr << std::endl;

    const std::vector<AccuracyEvaluation> kept = cal.evaluations;
    std::vector<std::pair<std::size_t, AccuracyEvaluation>> arrived;
    const auto start = std::chrono::steady_clock::now();
    double merge_s = 0;
    FanoutSettings settings;
    settings.cancel = cancel;
    settings.max_restarts = request.max_restarts;
    const FanoutSummary summary = run_calibration_fanout(
        todo, slots, settings,
        [&](const FanoutArrival& a) {
            const auto t0 = std::chrono::steady_clock::now();
            arrived.emplace_back(a.index, a.evaluation);
            cal.evaluations = merge_in_plan_order(kept, arrived);
            save_accuracy_calibration(cal, path);  // after every result: a cancel or a crash keeps it
            if (on_saved) on_saved(a.evaluation);
            merge_s += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            const double spent = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            const double left = spent / double(arrived.size()) * double(todo.size() - arrived.size());
            const PlannedEvaluation& p = todo[a.index];
            std::cerr << "[" << arrived.size() << "/" << todo.size() << "] " << a.slot
                      << (a.where.empty() ? "" : " (" + a.where + ")") << ": " << p.method << " " << p.kind << " "
                      << tokens_text(p.tokens_after_block) << ": top-1 " << std::fixed << std::setprecision(4)
                      << a.evaluation.top1 << std::setprecision(1) << " (" << a.evaluation.seconds << " s; ~" << left
                      << " s left)\n"
                      << std::defaultfloat;
        },
        [](const FanoutNotice& n) { std::cerr << n.slot << ": " << n.text << std::endl; });

    double overhead_s = 0;
    for (const auto& s : summary.slots) {
        std::cerr << std::fixed << std::setprecision(1) << "  " << s.name << (s.where.empty() ? "" : " (" + s.where + ")")
                  << ": " << s.evaluations << " evaluation(s), " << s.busy_s << " s busy"
                  << (s.restarts ? ", " + std::to_string(s.restarts) + " restart(s)" : "") << (s.retired ? ", stopped" : "")
                  << "\n"
                  << std::defaultfloat;
        overhead_s += s.busy_s - s.agent_s;
    }
    if (summary.done)
        std::cerr << std::fixed << std::setprecision(1) << "fan-out: " << summary.done << " evaluation(s) in "
                  << summary.wall_s << " s; per evaluation " << 1000 * overhead_s / double(summary.done)
                  << " ms between hand-out and result beyond the agent's own time, " << 1000 * merge_s / double(summary.done)
                  << " ms merge + save"
                  << (summary.handed_out_again ? "; " + std::to_string(summary.handed_out_again) + " handed out again" : "")
                  << "\n"
                  << std::defaultfloat;
    if (summary.remaining && !summary.cancelled && !(cancel && cancel->load()))
        throw CommandError("every agent was lost; " + std::to_string(summary.remaining) + " of " +
                               std::to_string(todo.size()) + " evaluations remain in the plan; run again to continue (" +
                               path + " holds what finished)",
                           3);
    return summary.done;
}

}  // namespace tp::cli
