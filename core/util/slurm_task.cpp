#include "core/util/slurm_task.h"

#include <cstdlib>

namespace tp {

nlohmann::json slurm_task_info() {
    nlohmann::json out = nlohmann::json::object();
    const char* job = std::getenv("SLURM_JOB_ID");
    if (!job || !*job) return out;
    const std::pair<const char*, const char*> vars[] = {
        {"job_id", "SLURM_JOB_ID"},          {"step_id", "SLURM_STEP_ID"},
        {"node", "SLURMD_NODENAME"},         {"partition", "SLURM_JOB_PARTITION"},
        {"job_name", "SLURM_JOB_NAME"},      {"cpus", "SLURM_CPUS_ON_NODE"},
        {"gpus", "SLURM_STEP_GPUS"},         {"cuda_visible_devices", "CUDA_VISIBLE_DEVICES"}};
    for (const auto& [key, var] : vars)
        if (const char* v = std::getenv(var); v && *v) out[key] = v;
    if (!out.contains("gpus"))
        if (const char* v = std::getenv("SLURM_JOB_GPUS"); v && *v) out["gpus"] = v;
    return out;
}

}  // namespace tp
