#pragma once
// The schedule search (docs/search.md): the Pareto front of predicted latency and predicted top-1
// over schedules of 1–3 pruning points placed at the devices' "one more token" points and fast
// residues (search_space.h), plus ToMe's constant-r and Top-K's per-block-r schedules.
//
//   SearchInputs in{{&analysis_a, &analysis_b}, {{"pomt", &pomt_model}, {"topk", &topk_model}}};
//   SearchResult r = search_schedules(in, settings);          // the front, ordered by latency
//   ObjectiveChoice c = apply_objective(r, objective);          // e.g. fastest with drop ≤ 1 pp
//
// Per method, a space of at most settings.exact_limit schedules is enumerated; a larger one is
// searched by dynamic programming over the pruning points: a partial schedule (its cuts so far)
// is summed block by block on every device and in accuracy damage (additive_costs.h), and at each
// state (block and tokens of its last cut, number of cuts) only partials no other beats on every
// device and in damage are kept — every completion of a beaten partial is beaten by the same
// completion of the one beating it, so this loses nothing. Only when a state holds more than
// settings.beam_width such partials are some dropped, and then SearchResult::exact says false.
#include <map>
#include <string>
#include <vector>

#include "core/accuracy/accuracy_model.h"
#include "core/analysis/profile_analysis.h"
#include "core/search/search_types.h"

namespace tp {

struct SearchInputs {
    std::vector<const ProfileAnalysis*> devices;              // one model, each with a predictor
    std::map<std::string, const AccuracyModel*> accuracy;     // by method, fitted and anchored
};

// Throws FormatError when the inputs cannot be searched: no device, a device without predictor,
// devices or accuracy models of different models, a method without an accuracy model.
SearchResult search_schedules(const SearchInputs& inputs, const SearchSettings& settings);

}  // namespace tp
