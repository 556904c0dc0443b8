#pragma once
// A calibration plan fanned out over several agents (docs/cluster.md): a pull queue hands one
// planned evaluation at a time to whichever agent is free, so fast and slow agents share the plan
// by speed and a dead agent's share is only the evaluation it was running, which goes back to the
// queue for the others (or for the agent's restart). Results reach the caller on the calling thread,
// one at a time, as they arrive: the caller merges them into the one calibration file (plan order,
// see merge_in_plan_order), so the file holds the same evaluations as a one-process run, whatever
// the split. Transport-free: the agents are given as a factory (the CLI opens agent connections).
#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/accuracy/accuracy_data.h"
#include "core/accuracy/calibration_plan.h"

namespace tp {

// An agent that died or could not be reached: its evaluation is handed out again.
struct FanoutAgentLost : std::runtime_error {
    using std::runtime_error::runtime_error;
};

class FanoutAgent {
public:
    virtual ~FanoutAgent() = default;
    // Evaluates one planned evaluation. Throws FanoutAgentLost when the agent is gone; nothing
    // (an empty optional) when the run was cancelled meanwhile; any other exception ends the run.
    virtual std::optional<AccuracyEvaluation> evaluate(const PlannedEvaluation& planned) = 0;
    // Where it runs, once known (host, Slurm job), for progress lines.
    virtual std::string where() const { return {}; }
};

struct FanoutSlot {
    std::string name;  // "gpu-node#1", "box", ...
    // Starts (or restarts: attempt > 0) the slot's agent, in the slot's own thread. Throws
    // FanoutAgentLost when it cannot start (counts as a restart), anything else to end the run.
    std::function<std::unique_ptr<FanoutAgent>(int attempt)> start;
};

struct FanoutSettings {
    int max_restarts = 2;  // per slot, after its agent was lost
    const std::atomic<bool>* cancel = nullptr;
};

struct FanoutArrival {
    std::size_t index = 0;         // into the `todo` given to run_calibration_fanout
    AccuracyEvaluation evaluation;
    std::string slot;              // which slot's agent evaluated it
    std::string where;
    double request_s = 0;          // hand-out to result, as the scheduler saw it
};

struct FanoutNotice {  // an agent started, was lost, restarted, retired
    std::string slot;
    std::string text;
};

struct FanoutSlotSummary {
    std::string name, where;
    std::size_t evaluations = 0;
    double busy_s = 0;             // sum of request_s
    double agent_s = 0;            // sum of the evaluations' own seconds (what the agent measured)
    int restarts = 0;
    bool retired = false;          // lost and not restarted
};

struct FanoutSummary {
    std::vector<FanoutSlotSummary> slots;
    std::size_t done = 0, remaining = 0;
    std::size_t handed_out_again = 0;  // evaluations whose agent was lost while running them
    bool cancelled = false;
    double wall_s = 0;
};

// A relative cost of one evaluation (the tokens every block runs on; the baseline costs the most),
// and the order the queue hands `todo` out in: plan order for one agent, longest first for several.
double evaluation_cost_estimate(const PlannedEvaluation& e);
std::vector<std::size_t> fanout_order(const std::vector<PlannedEvaluation>& todo, std::size_t agents);

// Runs `todo` over the slots (one thread each) until every evaluation has a result, the run is
// cancelled, or every slot is retired. `on_arrival` and `on_notice` run on the calling thread, one
// at a time (on_arrival saves the file; an exception from it ends the run). Exceptions that end
// the run are rethrown here after every slot stopped.
FanoutSummary run_calibration_fanout(const std::vector<PlannedEvaluation>& todo, const std::vector<FanoutSlot>& slots,
                                     const FanoutSettings& settings,
                                     const std::function<void(const FanoutArrival&)>& on_arrival,
                                     const std::function<void(const FanoutNotice&)>& on_notice = {});

// The calibration's evaluations with `arrived` (results for todo[i], any order) placed after
// the `kept` earlier ones in todo order: the order a one-process run appends them in.
std::vector<AccuracyEvaluation> merge_in_plan_order(std::vector<AccuracyEvaluation> kept,
                                                    const std::vector<std::pair<std::size_t, AccuracyEvaluation>>& arrived);

}  // namespace tp
