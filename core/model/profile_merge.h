#pragma once
// Several profiles of one measuring setup as one: e.g. the plain scopes, the deployed cuts and the
// pruning ops of a model swept separately (each is its own sweep), so the latency predictor and
// the schedule editor see every term in one profile.
//
//   Profile all = merge_profiles({{"blocks.json", blocks}, {"ops.json", ops}});
#include <string>
#include <utility>
#include <vector>

#include "core/model/profile.h"

namespace tp {

// Throws FormatError naming the part's file and the field when the parts disagree on what makes
// their curves comparable — the device (identity, LibTorch/CUDA versions, the BLAS build and the
// kernel it picked), the model (architecture, shape, dtype, batch,
// weights), the timing mode, L2 state and thread counts — or when two parts have a curve of the
// same name. The result keeps the first part's settings; `environment["merged_from"]` lists every
// part with its date and stopping rule (parts may use different rules, e.g. looser for ops).
Profile merge_profiles(const std::vector<std::pair<std::string, Profile>>& parts);

}  // namespace tp
