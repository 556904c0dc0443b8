#pragma once
// Where a process started by Slurm runs, from the variables slurmstepd sets (SLURM_JOB_ID,
// SLURMD_NODENAME, ...). The agent adds it to its hello as `slurm` (protocol 3, added field), so a
// client sees the job, the node it landed on and its GPUs (docs/agent-protocol.md, docs/cluster.md).
#include <nlohmann/json.hpp>

namespace tp {

// {"job_id", "step_id", "node", "partition", "job_name", "cpus", "gpus"}: only the variables that
// are set; an empty object outside Slurm.
nlohmann::json slurm_task_info();

}  // namespace tp
