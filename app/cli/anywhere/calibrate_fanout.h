#pragma once
// `tailprune calibrate --on A,B,C` and `--slurm-tasks N` (docs/cluster.md): the calibration plan
// over several agents at once, one connection each, merged into the one calibration file as results
// arrive (core/accuracy/calibration_fanout.h does the scheduling).
#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include "core/accuracy/accuracy_data.h"
#include "core/accuracy/calibration_plan.h"
#include "core/runtime/vit_runner.h"

namespace tp::cli {

struct FanoutRequest {
    std::vector<std::string> devices;  // --on, split at commas (a name may repeat: one agent each)
    int slurm_tasks = 0;               // agents per slurm device (0: one)
    runtime::EvaluateOptions base;     // weights, split, subset, seed, batch, threads, data dir
    int max_restarts = 2;              // per agent, after it was lost
};

// Whether `calibrate --on VALUE` runs fanned out: several names, --slurm-tasks, or a slurm device
// (which keeps one allocation for the whole plan instead of one per evaluation).
bool wants_fanout(const std::string& on, int slurm_tasks);
std::vector<std::string> split_device_names(const std::string& on);

// Evaluates `todo` (plan order) over the agents; after every result the calibration `cal` (its
// earlier evaluations, then this run's in plan order) is saved to `path` and `on_saved` is told.
// Progress, per agent, on stderr. Returns how many evaluations were done.
std::size_t calibrate_fanned_out(const FanoutRequest& request, const ModelInfo& model,
                                 const std::vector<PlannedEvaluation>& todo, AccuracyCalibration& cal,
                                 const std::string& path, const std::function<void(const AccuracyEvaluation&)>& on_saved,
                                 const std::atomic<bool>* cancel);

}  // namespace tp::cli
