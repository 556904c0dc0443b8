#pragma once
// Internal to core/runtime (includes LibTorch through token_reduction.h).
#include <map>
#include <memory>
#include <string>

#include "core/runtime/token_reduction.h"

namespace tp::runtime {

// The reducer for `method` (pomt, pomt_nomerge, topk, zerotprune, tome, random) with its
// parameters, for a model of `depth` blocks. "none" returns nullptr. Unknown method or bad
// parameter: throws tp::FormatError naming it.
std::unique_ptr<TokenReducer> make_reducer(const std::string& method,
                                           const std::map<std::string, double>& parameters, int depth);

}  // namespace tp::runtime
