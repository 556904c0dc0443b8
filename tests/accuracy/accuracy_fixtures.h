#pragma once
// Synthetic evaluations with known structure: a "true" accuracy function of the schedule, sampled
// like a real evaluation on a subset (binomial counts, seeded), so fitted predictions can be
// compared with the truth.
#include <cmath>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "core/accuracy/accuracy_anchor.h"
#include "core/accuracy/accuracy_data.h"
#include "core/accuracy/calibration_plan.h"
#include "core/model/schedule.h"
#include "tests/model_fixtures.h"

namespace tp::test {

// Truth: early blocks are more sensitive; damage grows with the square of the fraction removed;
// several pruning points compound with exponent `gamma`. Not in the fitted family (quadratic, not
// piecewise linear), so recovery is a real test.
struct Truth {
    double baseline_logit = 2.6;   // q ≈ 0.93 → top-1 ≈ 0.94
    double gamma = 0.0;
    bool steep_then_flat = false;  // damage ∝ 1 − (1 − fraction removed)³: steep below N, then flatter (Top-K-like)
    // Sequential thinning (issue 26): a later cut picks from what an earlier one kept, so a block
    // whose tokens are thinned further later costs only (n_last / n_b)^thinning of its damage —
    // two nested cuts cost little more than the deeper one alone. 0: additive over blocks.
    double thinning = 0.0;
    int thinning_first_block = 0;  // blocks before it are charged in full (a block-0 cut compounds)
    double value(const std::vector<int>& tokens, int input = 50, double chance = 0.1) const {
        double damage = 0;
        int points = 0, previous = input;
        const double last = tokens.size() >= 2 ? tokens[tokens.size() - 2] : input;
        for (std::size_t b = 0; b + 1 < tokens.size(); ++b) {
            double removed = 1.0 - double(tokens[b]) / input;
            const double share = thinning > 0 && int(b) >= thinning_first_block && tokens[b] > last ? std::pow(last / tokens[b], thinning) : 1.0;
            damage += share * (0.9 - 0.1 * double(b)) * (steep_then_flat ? 1.5 * (1.0 - std::pow(1.0 - removed, 3)) : removed * removed);
            if (tokens[b] < previous) ++points;
            previous = tokens[b];
        }
        if (tokens.back() < previous) ++points;
        double scale = points > 0 ? std::pow(points, gamma) : 1.0;
        double q = 1.0 / (1.0 + std::exp(-(baseline_logit - scale * damage)));
        return chance + (1 - chance) * q;
    }
};

inline AccuracyEvaluation sampled(const Truth& truth, const PlannedEvaluation& p, int images, std::mt19937_64& rng) {
    AccuracyEvaluation e;
    e.method = p.method;
    e.tokens_after_block = p.tokens_after_block;
    e.kind = p.kind;
    e.images = images;
    double top1 = truth.value(p.tokens_after_block);
    double top5 = truth.value(p.tokens_after_block, 50, 0.5) * 0.2 + 0.8;
    if (images > 0) {
        std::binomial_distribution<int> b1(images, top1), b5(images, top5);
        e.top1 = double(b1(rng)) / images;
        e.top5 = std::max(e.top1, double(b5(rng)) / images);
    } else {
        e.top1 = top1;
        e.top5 = top5;
    }
    return e;
}

// The method's calibration plan evaluated on the truth with `images` per evaluation (0: exact).
inline AccuracyCalibration synthetic_calibration(const std::string& method, const Truth& truth, int images,
                                                 std::uint64_t seed) {
    AccuracyCalibration cal;
    cal.model = small_vit_model();
    cal.subset.size = images > 0 ? images : 1000000;
    cal.subset.seed = seed;
    std::mt19937_64 rng(seed);
    CalibrationPlanSettings settings;
    settings.seed = seed;
    for (const auto& p : calibration_plan(cal.model, method, settings))
        cal.evaluations.push_back(sampled(truth, p, images > 0 ? images : 1000000, rng));
    return cal;
}

// Held-out schedules (not in the plan): 1–3 random cuts, seeded.
inline std::vector<std::vector<int>> held_out_schedules(int count, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::vector<std::vector<int>> out;
    while (static_cast<int>(out.size()) < count) {
        int points = 1 + static_cast<int>(rng() % 3);
        std::vector<PruningPoint> pts;
        int previous = 50, block = -1;
        for (int i = 0; i < points; ++i) {
            block += 1 + static_cast<int>(rng() % 3);
            if (block > 6) break;
            int t = 12 + static_cast<int>(rng() % std::max(1, previous - 12));
            if (t >= previous) break;
            pts.push_back({block, t});
            previous = t;
        }
        if (pts.empty()) continue;
        out.push_back(tokens_from_points(8, 50, pts));
    }
    return out;
}

// Measured anchors for the splits named in `splits_csv` ("test,holdout"): test at `test_top1`
// (10,000 images), holdout at 0.91 (5,000 images).
inline std::vector<AccuracyAnchor> fixture_anchors(const std::string& splits_csv, double test_top1) {
    std::vector<AccuracyAnchor> out;
    std::istringstream in(splits_csv);
    for (std::string s; std::getline(in, s, ',');) {
        if (s.empty()) continue;
        out.push_back(s == "test" ? AccuracyAnchor{"test", test_top1, 0.99, 10000, ""}
                                  : AccuracyAnchor{"holdout", 0.91, 0.995, 5000, ""});
    }
    return out;
}

}  // namespace tp::test
