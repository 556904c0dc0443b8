#pragma once
// Synthetic profiles and schedules for the store suites and bench_store.
#include <string>

#include "core/model/profile.h"
#include "core/model/schedule.h"

namespace tp::store_test {

struct ProfileShape {
    int curves = 3;
    int points = 40;
    int seed = 1;
    bool optionals = true;        // fill the optional per-point fields, raw samples, census, maps
    bool board = false;           // a Jetson's board state per point (gpu_*, hottest_c, over_trip) and clock flags
    std::string torch = "1.13.1";
    std::string date = "2026-11-01T10:00:00Z";
    int edge_tokens = 100;        // the latency staircase steps up here (every curve)
};

ModelInfo vit_model();
DeviceInfo cpu_device();
// A valid profile of vit_model() on cpu_device(); its numbers depend on `seed`.
Profile synthetic_profile(const ProfileShape& shape);
// A valid schedule of vit_model() on cpu_device() that cuts after block `cut_block`.
Schedule synthetic_schedule(const std::string& name, int cut_block, int kept_tokens);

// SHA-256 of a file's bytes, "" when it does not exist.
std::string file_digest(const std::string& path);

}  // namespace tp::store_test
