#pragma once
// The values a schedule search takes and gives (core/search/schedule_search.h, docs/search.md).
#include <string>
#include <vector>

#include "core/model/schedule.h"

namespace tp {

// How the search is run; what it optimises for is a SearchObjective applied to its front.
struct SearchSettings {
    std::vector<std::string> methods;  // empty: every method given an accuracy model
    int max_points = 3;                // schedules of 1..max_points pruning points (1..3)
    int device = -1;                   // -1: the worst case over the devices; else the index of the one that counts
    bool latency_in_ms = false;        // compare devices by ms (a latency budget in ms) instead of % of unpruned
    bool families = true;              // also ToMe's constant-r and Top-K's per-block-r schedules
    long long exact_limit = 200000;    // enumerate every schedule of a method when its space holds at most this many
    int beam_width = 24;               // otherwise: partial schedules kept per (cut block, tokens) state
};

// One device's predicted latency of an entry.
struct DeviceLatency {
    std::string device;
    double ms = 0, low_ms = 0, high_ms = 0;
    double pct = 0, low_pct = 0, high_pct = 0;  // of the device's own unpruned prediction
    double unpruned_ms = 0;
};

// The edge or residue a pruning point was placed on (one line per device that offered it).
struct PointTarget {
    int block = 0;
    int tokens = 0;
    std::vector<std::string> findings;  // e.g. "cpu-2core: periodic: n mod 8 = 0 runs 15.0% under the trend (model)"
};

struct SearchEntry {
    Schedule schedule;
    std::string family;                 // cuts | tome constant r | topk per-block r | pomt rule | pomt rule, release variant
    std::vector<PointTarget> targets;   // per pruning point (cuts family)
    std::vector<DeviceLatency> devices; // every device, in input order
    int objective_device = 0;           // the device whose latency counts (the worst one, or the named one)
    double predicted_ms = 0, predicted_ms_low = 0, predicted_ms_high = 0;     // on objective_device
    double predicted_pct = 0, predicted_pct_low = 0, predicted_pct_high = 0;  // on objective_device
    double predicted_top1 = 0, predicted_top1_low = 0, predicted_top1_high = 0;  // fractions
    double predicted_drop_pp = 0;       // from the unpruned model, percentage points
    bool extrapolated = false;          // the accuracy model extrapolates below its calibration
};

// A point of the candidate cloud (for plots): every evaluated schedule, thinned.
struct CloudPoint {
    double latency = 0;  // the objective's latency measure: % of unpruned, or ms
    double top1 = 0;
    int method = 0;      // index into SearchResult::methods
};

struct SearchResult {
    std::vector<SearchEntry> front;     // Pareto front of the pruned schedules, ordered by latency
    std::vector<std::string> methods;   // searched
    std::vector<std::string> device_names;
    std::vector<CloudPoint> cloud;
    SearchEntry unpruned;               // the reference (not part of the front)
    long long space = 0;                // schedules of 1..max_points cuts the candidates allow, all methods
    long long evaluated = 0;            // complete schedules evaluated
    bool exact = true;                  // the front is the exact front of the candidate space
    std::vector<std::string> strategies;  // per method: "tome: enumeration (1,234 schedules)" ...
    std::vector<std::string> notes;     // methods left out and why, ...
    bool latency_in_ms = false;
};

}  // namespace tp
