#include "core/accuracy/calibration_plan.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <set>

#include "core/util/format_error.h"
#include "core/model/method_rules.h"

namespace tp {

namespace {

bool realisable(const std::string& method, int input, const std::vector<int>& tokens) {
    try {
        validate_method_tokens(method, input, tokens);
        return true;
    } catch (const FormatError&) {
        return false;
    }
}

std::vector<int> evenly(int lo, int hi, int count) {
    std::vector<int> out;
    if (hi < lo || count <= 0) return out;
    for (int i = 0; i < count; ++i) {
        int v = count == 1 ? hi : lo + static_cast<int>(std::lround(double(hi - lo) * i / (count - 1)));
        if (out.empty() || out.back() != v) out.push_back(v);
    }
    return out;
}

}  // namespace

std::vector<PlannedEvaluation> calibration_plan(const ModelInfo& model, const std::string& method,
                                                const CalibrationPlanSettings& settings) {
    const int depth = model.depth, n = model.tokens;
    if (depth < 2 || n < 3) throw FormatError("/model", "calibration needs a model with depth >= 2 and >= 3 tokens");
    method_parameters(method);  // unknown method: FormatError
    if (method == "none") throw FormatError("--method", "method 'none' prunes nothing: there is nothing to calibrate");

    std::vector<PlannedEvaluation> plan;
    std::set<std::vector<int>> seen;
    auto add = [&](std::vector<int> tokens, const char* kind) {
        if (seen.count(tokens) || !realisable(method, n, tokens)) return;
        seen.insert(tokens);
        plan.push_back({method, std::move(tokens), kind});
    };
    plan.push_back({"none", std::vector<int>(static_cast<std::size_t>(depth), n), "baseline"});
    seen.insert(plan.back().tokens_after_block);

    const int floor_tokens = min_tokens_after_pruning(method, n);
    for (int b = 0; b + 1 < depth; ++b)
        for (double f : settings.keep_fractions) {
            int t = std::clamp(static_cast<int>(std::lround(f * n)), std::max(floor_tokens, 1), n - 1);
            add(tokens_from_points(depth, n, {{b, t}}), "single");
        }

    std::mt19937_64 rng(settings.seed);
    auto uniform = [&](int lo, int hi) { return lo + static_cast<int>(rng() % static_cast<std::uint64_t>(hi - lo + 1)); };
    if (method == "tome") {
        // ToMe's own schedules: r per block, constant and linearly decreasing.
        int rmax = std::max(1, (n - 2) / depth);
        auto rs = evenly(1, rmax + rmax / 2, (settings.multi_point + 1) / 2);
        for (int r : rs) {
            add(tome_tokens_after_block(depth, n, r, 0.0), "multi");
            add(tome_tokens_after_block(depth, n, r, -0.5), "multi");
        }
    }
    if (method == "topk") {
        // Constant r per block from a start block on (Top-K prunes every block from there).
        int made = 0;
        for (int attempt = 0; made < settings.multi_point && attempt < settings.multi_point * 20; ++attempt) {
            int start = uniform(0, depth / 2);
            int blocks = depth - start;
            int r = uniform(1, std::max(1, (n - 2) / blocks));
            std::vector<int> tokens(static_cast<std::size_t>(depth), n);
            for (int b = start; b < depth; ++b) tokens[static_cast<std::size_t>(b)] = std::max(2, n - r * (b - start + 1));
            std::size_t before = plan.size();
            add(tokens, "multi");
            made += plan.size() > before;
        }
    }
    if (method != "tome") {
        // A few cuts at chosen blocks, as the editor makes them. Top-K gets these too (after its
        // constant-r schedules, so the seeded ones above stay the same): its accuracy falls steeply
        // and its constant-r schedules alone left 2–4-cut schedules to extrapolation (issue 26).
        int want = std::max(4, settings.multi_point / 2), made = 0;
        for (int attempt = 0; made < want && attempt < want * 20; ++attempt) {
            int points = uniform(2, std::min(3, depth - 1));
            std::set<int> blocks;
            while (static_cast<int>(blocks.size()) < points) blocks.insert(uniform(0, depth - 2));
            std::vector<PruningPoint> pts;
            int previous = n;
            for (int b : blocks) {
                int lo = std::max(floor_tokens, std::max(2, n / 8));
                if (previous - 1 < lo) break;
                int t = uniform(std::max(lo, previous * 2 / 5), previous - 1);
                pts.push_back({b, t});
                previous = t;
            }
            if (static_cast<int>(pts.size()) < 2) continue;
            std::size_t before = plan.size();
            add(tokens_from_points(depth, n, pts), "multi");
            made += plan.size() > before;
        }
    }
    if (method != "tome" && settings.nested_pairs) {
        // Two cuts at nearby blocks, the second thinning what the first kept (issue 26): they
        // identify how much of an earlier cut's damage a later, deeper one makes its own (the
        // thinning exponent β), which the seeded schedules above left to a few far-apart cuts.
        // After everything above, so existing calibration files stay a prefix of the plan.
        const std::pair<int, int> blocks[] = {{0, 1}, {1, 2}, {2, 3}, {0, 2}, {1, 3}, {3, 5}};
        const std::pair<double, double> levels[] = {{0.6, 0.3}, {0.75, 0.45}};
        auto planned_level = [&](double f) {
            return std::any_of(settings.keep_fractions.begin(), settings.keep_fractions.end(),
                               [&](double k) { return std::abs(k - f) < 1e-9; });
        };
        for (const auto& [k1, k2] : blocks) {
            if (k2 + 1 >= depth) continue;
            for (const auto& [f1, f2] : levels) {
                if (!planned_level(f1) || !planned_level(f2)) continue;  // next to the plan's own single cuts only
                const int t1 = std::clamp(static_cast<int>(std::lround(f1 * n)), std::max(floor_tokens, 1), n - 1);
                const int t2 = std::clamp(static_cast<int>(std::lround(f2 * n)), std::max(floor_tokens, 1), t1 - 1);
                if (t2 >= t1) continue;
                add(tokens_from_points(depth, n, {{k1, t1}, {k2, t2}}), "multi");
            }
        }
    }
    if (method != "tome" && settings.editor_like > 0) {
        // Seeded apart so the sections above stay as they were for a seed.
        std::mt19937_64 editor_rng(settings.seed ^ 0x9e3779b97f4a7c15ULL);
        auto pick = [&](int lo, int hi) { return lo + static_cast<int>(editor_rng() % static_cast<std::uint64_t>(hi - lo + 1)); };
        int made = 0;
        for (int attempt = 0; made < settings.editor_like && attempt < settings.editor_like * 50; ++attempt) {
            const int points = pick(2, method == "topk" ? 4 : 3);
            std::vector<PruningPoint> pts;
            int previous = n, block = -1;
            for (int p = 0; p < points && block < depth - 2; ++p) {
                block = pick(block + 1, std::min(depth - 2, block + 3));
                const int lo = std::max(floor_tokens, std::max(2, n / 6));
                if (lo >= previous) break;
                const int t = pick(std::max(lo, previous / 2), previous - 1);
                pts.push_back({block, t});
                previous = t;
            }
            if (pts.size() < 2) continue;
            std::size_t before = plan.size();
            add(tokens_from_points(depth, n, pts), "multi");
            made += plan.size() > before;
        }
    }
    return plan;
}

std::vector<PlannedEvaluation> remaining_evaluations(const std::vector<PlannedEvaluation>& plan,
                                                     const AccuracyCalibration& done) {
    std::vector<PlannedEvaluation> out;
    for (const auto& p : plan)
        if (!done.find(p.method, p.tokens_after_block)) out.push_back(p);
    return out;
}

}  // namespace tp
