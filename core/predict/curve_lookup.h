#pragma once
// A latency curve tabulated at every token count 1..max_tokens, so a prediction is an array read.
//
//   CurveLookup lookup(curve, detect_steps(curve), model.tokens);
//   double ms = lookup.at(137);          // O(1), no allocation
//   LookupSource s = lookup.source_at(137);
//
// Values come from the step analysis of the curve, never from interpolating across an edge:
// - a count inside a plateau's measured range gets the plateau's fitted level (intercept + slope·n),
//   times the periodic residue effect where the analysis found one (CPU: n mod 4);
// - a count in the gap of an edge (after the last count measured before it and before the first
//   measured after it) gets the HIGHER of the two plateau levels: the edge may lie anywhere in the
//   gap, and the lower level would promise a saving nobody measured;
// - below the first or above the last measured count, the nearest plateau's line (extrapolated);
// - with no plateaus at all (empty analysis), the measured medians, linearly interpolated between
//   measured counts (there is no known edge to cross).
#include <vector>

#include "core/model/curve.h"
#include "core/steps/step_detector.h"

namespace tp {

enum class LookupSource : unsigned char {
    Plateau,       // inside a measured plateau (fitted level at a measured or in-between count)
    EdgeGap,       // between the two sides of an edge: higher level taken
    Interpolated,  // no step analysis: linear between measured neighbours
    Extrapolated,  // outside the measured range
};

const char* to_string(LookupSource source);

class CurveLookup {
public:
    CurveLookup() = default;
    // `curve` must have at least one point; max_tokens >= 1.
    CurveLookup(const Curve& curve, const StepAnalysis& steps, int max_tokens);

    bool empty() const { return ms_.empty(); }
    int max_tokens() const { return static_cast<int>(ms_.size()) - 1; }
    // tokens outside 1..max_tokens are clamped into it.
    double at(int tokens) const { return ms_[index(tokens)]; }
    LookupSource source_at(int tokens) const { return static_cast<LookupSource>(source_[index(tokens)]); }
    int first_measured() const { return first_measured_; }
    int last_measured() const { return last_measured_; }

private:
    std::size_t index(int tokens) const {
        if (tokens < 1) return 1;
        if (tokens > max_tokens()) return static_cast<std::size_t>(max_tokens());
        return static_cast<std::size_t>(tokens);
    }
    std::vector<double> ms_;                 // index = tokens, [0] unused
    std::vector<unsigned char> source_;
    int first_measured_ = 0;
    int last_measured_ = 0;
};

}  // namespace tp
