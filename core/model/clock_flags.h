#pragma once
// The clock state a sweep ran under, judged from what the profile records (issue 22): per point
// the GPU clock (devfreq on Jetsons, else NVML's SM clock), the devfreq limits, the thermal trip
// state; per profile the power mode at start and end. Computed when a sweep ends, and when an
// older file without `clock_flags` is read. Qt-free.
#include <string>
#include <vector>

#include "core/model/profile.h"

namespace tp {

// Environment keys the profiler records on boards without NVML (settings.environment).
namespace clock_env {
inline constexpr const char* kDevfreq = "gpu_devfreq";            // 17000000.ga10b
inline constexpr const char* kGovernor = "gpu_governor";          // nvhost_podgov
inline constexpr const char* kClocks = "gpu_clocks";              // locked at 1300.5 MHz | unlocked (...)
inline constexpr const char* kClocksEnd = "gpu_clocks_end";
inline constexpr const char* kPowerMode = "power_mode";           // MAXN (mode 0)
inline constexpr const char* kPowerModeEnd = "power_mode_end";
inline constexpr const char* kTemperatureZone = "temperature_zone";  // whose temperature_c the points hold
}  // namespace clock_env

// Relative distance from the sweep's median clock above which a point counts as "changed":
// 2% for devfreq clocks (they move in whole steps), 5% for NVML's SM clock (boost jitters).
inline constexpr double kDevfreqClockTolerance = 0.02;
inline constexpr double kSmClockTolerance = 0.05;

// Flags in a fixed order: clocks_unlocked, clock_changed, throttled (one per cause),
// power_mode_changed. Empty when nothing is recorded or nothing is wrong.
std::vector<ClockFlag> compute_clock_flags(const Profile& profile);

}  // namespace tp
