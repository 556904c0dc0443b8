#pragma once
// A schedule the search proposes, predicted in full on every device (value and band) and by the
// accuracy model (top-1 and its band): what the front's entries and the POMT rule's pick show.
#include <string>
#include <vector>

#include "core/accuracy/accuracy_model.h"
#include "core/analysis/profile_analysis.h"
#include "core/search/search_types.h"

namespace tp {

// `device` -1: the entry's latency is the worst device's (largest % of unpruned, or largest ms when
// `latency_in_ms`); otherwise that device's.
SearchEntry evaluate_entry(const Schedule& schedule, const std::vector<const ProfileAnalysis*>& devices,
                           const std::vector<std::string>& names, const AccuracyModel& accuracy, int device,
                           bool latency_in_ms);

// A schedule of `method` for the devices' model with the given cuts, named after them
// ("pomt: 3→40, 5→24").
Schedule schedule_with_cuts(const ModelInfo& model, const std::string& method, const std::vector<PruningPoint>& cuts);

// The objective's latency of an entry: its % of unpruned, or its ms.
inline double objective_latency(const SearchEntry& e, bool in_ms) { return in_ms ? e.predicted_ms : e.predicted_pct; }

}  // namespace tp
