#pragma once
#include <string>
#include <vector>

#include "core/model/curve.h"
#include "core/model/device.h"

namespace tp {

// Kernels seen around a detected edge (CUDA only): names and grid sizes at n-1 and n.
struct KernelLaunch {
    std::string name;
    long long grid = 0;          // CTAs
    long long block = 0;         // threads per CTA
    double duration_us = 0;
};
struct KernelCensus {
    std::string curve;           // curve name it belongs to
    int tokens = 0;              // measured at this token count
    std::vector<KernelLaunch> kernels;
};

// Something about the clocks a sweep ran under that makes its latencies less comparable
// (issue 22; core/model/clock_flags.h says how each is found): kind clocks_unlocked,
// clock_changed, throttled or power_mode_changed, and one line for the user.
struct ClockFlag {
    std::string kind;
    std::string message;
};

// A measured profile: one device, one model configuration, one settings block, many curves.
struct Profile {
    static constexpr int kFormatVersion = 1;
    int format_version = kFormatVersion;
    std::string id;              // optional user-visible label (e.g. file stem)
    DeviceInfo device;
    ModelInfo model;
    MeasurementSettings settings;
    std::vector<Curve> curves;
    std::vector<KernelCensus> census;
    std::vector<ClockFlag> clock_flags;  // computed when the sweep ends; on read when absent
    std::string notes;

    const Curve* find_curve(const std::string& name) const;
    const Curve* find_curve(const Scope& scope) const;
    Curve* find_curve(const Scope& scope);
    bool partial() const;
};

// Checks cross-field invariants (unique curve names, token counts within the model's range, ...).
// Throws FormatError naming the field.
void validate(const Profile& profile);

}  // namespace tp
