#pragma once
// `evaluate --on` and `calibrate --on`: the CLI's evaluation options sent as a protocol-2
// `evaluate` request (seeded stratified subset, paths on the device), the result read back.
#include <atomic>

#include "core/model/device.h"
#include "core/remote/agent_connection.h"
#include "core/runtime/vit_runner.h"

namespace tp::cli {

// The architecture of a weights file on the device (`describe`).
ModelInfo describe_on(remote::AgentConnection& connection, const std::string& weights);

// Evaluates `options` on the device and returns the agent's `evaluate` result; an unpruned run
// (no schedule) sends the model's unpruned schedule, learned with `describe`.
nlohmann::json evaluate_on(remote::AgentConnection& connection, const runtime::EvaluateOptions& options,
                           const runtime::ProgressFn& progress, const std::atomic<bool>* cancel);
// The same evaluation through `run_job_on_device`: a detached session unless `detach` is false
// (or the agent predates sessions), so a dropped link does not lose it.
nlohmann::json evaluate_on_device(const remote::ConnectOptions& target, const runtime::EvaluateOptions& options,
                                  const runtime::ProgressFn& progress, const std::atomic<bool>* cancel, bool detach,
                                  bool cancel_on_interrupt);
// `evaluate --on SLURM_DEVICE --sbatch`: the evaluation submitted as a Slurm batch session
// (app/cli/slurm_batch.h); without a schedule the weights are described by the agent on the login
// side, on the submission's own connection. Returns {"session", "slurm_job", ...} at once.
nlohmann::json evaluate_as_batch_job(const remote::ConnectOptions& target, const runtime::EvaluateOptions& options);
runtime::EvaluateResult evaluate_result_from_json(const nlohmann::json& result);

// Throws the usual CLI error when a local file given with --weights is missing (with --on the
// path is on the device and is checked there).
void require_local_file(const std::string& path, const char* option);

}  // namespace tp::cli
