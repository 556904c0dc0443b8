#pragma once
// Which measured curve describes a part of a schedule: a cut (pruning point) and a block at its own
// token count. The magnet and the block edges read the steps of these curves.
#include "core/analysis/profile_analysis.h"
#include "core/model/profile.h"

namespace tp {

// The curve for a cut at `block`: deployed:block if measured, else the model curve (nullptr: neither).
const Curve* cut_curve(const Profile& profile, int block);
// The curve for block `block` at its own token count: block:block, else the model curve.
const Curve* block_curve(const Profile& profile, int block);

// The steps of `curve` in `analysis`, or nullptr when the curve is missing or has too few points
// to have steps.
const StepAnalysis* curve_steps(const ProfileAnalysis& analysis, const Curve* curve);

}  // namespace tp
