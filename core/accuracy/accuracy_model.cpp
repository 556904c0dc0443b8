#include "core/accuracy/accuracy_model.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/accuracy/absorption.h"
#include "core/accuracy/least_squares.h"
#include "core/util/format_error.h"
#include "core/util/parallel_for.h"

namespace tp {

namespace {

int pruning_points(const std::vector<int>& tokens, int input) {
    int k = 0, previous = input;
    for (int t : tokens) {
        if (t < previous) ++k;
        previous = t;
    }
    return k;
}

double logistic(double x) { return 1.0 / (1.0 + std::exp(-x)); }

// The share of block b's damage a schedule is charged: (n_last / n_b)^β, where n_last is what the
// last block with a term (depth − 2) keeps. 1 for a block at the final count (every block of a
// one-cut schedule); below 1 for a block whose tokens a later cut thins further: a later cut picks
// its tokens from the ones an earlier cut kept, so the earlier cut's damage is mostly the later
// one's, already charged at its own blocks (issue 26: two deep cuts measured 1.2–2.8 pp above the
// additive prediction).
// `next`: n_last is instead what the next cut after block b keeps (the same for two cuts).
// `first_block`: blocks before it are charged in full whatever later cuts do (a cut at block 0
// picks its tokens from attention that has not yet formed: later cuts compound its damage rather
// than absorb it, the opposite of thinning; AccuracyFitSettings::thinning_first_block).
double thinning_weight(const std::vector<int>& after, int depth, int b, double beta, bool next = false,
                       int first_block = 0) {
    if (beta == 0 || b < first_block) return 1.0;
    const int n = after[static_cast<std::size_t>(b)];
    int last = after[static_cast<std::size_t>(depth - 2)];
    if (next)
        for (int k = b + 1; k <= depth - 2; ++k)
            if (after[static_cast<std::size_t>(k)] < n) {
                last = after[static_cast<std::size_t>(k)];
                break;
            }
    if (n <= last || n <= 0) return 1.0;
    return std::pow(static_cast<double>(std::max(last, 0)) / n, beta);
}

struct Observation {
    std::vector<int> tokens;
    double logit = 0;
    double weight = 0;
    double acc = 0;
    double var_acc = 0;      // sampling variance of the measured accuracy
    int points = 0;          // pruning points
    std::vector<ChargedView> views;  // absorption: the schedule's prefixes (empty: thinning's row)
    std::size_t active = 0;          // the prefix charged: the largest damage under the fit so far
};

// Accuracy above chance, clamped half an image away from 0 and 1, on the logit scale.
double to_logit(double acc, double chance, int images) {
    double q = (acc - chance) / (1.0 - chance);
    const double eps = 0.5 / std::max(images, 1);
    q = std::clamp(q, eps, 1.0 - eps);
    return std::log(q / (1.0 - q));
}

struct Design {
    int depth = 0, tokens = 0;
    std::vector<double> knots;  // in tokens, descending from N
    // Convex: ramps max(0, κ_j − n) (damage accelerates as tokens fall). Monotone: one segment per
    // pair of knots, clamp(κ_j − n, 0, κ_j − κ_{j+1}) (κ_J = 0): any non-increasing piecewise-linear
    // damage, e.g. a steep fall right below N that flattens (Top-K on fmnist_vit8).
    bool convex = true;
    bool thinning_next = false;  // β's reference: the next cut's count, not the final one
    int thinning_first_block = 0;  // blocks before it are not thinned
    int features() const { return 1 + (depth - 1) * static_cast<int>(knots.size()); }
    double basis(std::size_t j, double n) const {
        if (convex) return std::max(0.0, knots[j] - n) / tokens;
        const double next = j + 1 < knots.size() ? knots[j + 1] : 0.0;
        return std::clamp(knots[j] - n, 0.0, knots[j] - next) / tokens;
    }
    // `beta`: a block whose tokens a later cut thins further is charged (n_last / n_b)^β of its
    // damage (thinning_weight); 0: every block in full (additive).
    std::vector<double> row(const std::vector<int>& after, double lambda, double beta) const {
        std::vector<double> x(static_cast<std::size_t>(features()), 0.0);
        x[0] = 1.0;
        std::size_t f = 1;
        for (int b = 0; b + 1 < depth; ++b) {
            const double w = lambda * thinning_weight(after, depth, b, beta, thinning_next, thinning_first_block);
            for (std::size_t j = 0; j < knots.size(); ++j) x[f++] = -w * basis(j, after[static_cast<std::size_t>(b)]);
        }
        return x;
    }
    std::vector<double> row(const ChargedView& v, double lambda) const {
        std::vector<double> x(static_cast<std::size_t>(features()), 0.0);
        x[0] = 1.0;
        std::size_t f = 1;
        for (int b = 0; b + 1 < depth; ++b) {
            const double w = lambda * v.weight[static_cast<std::size_t>(b)];
            for (std::size_t j = 0; j < knots.size(); ++j) x[f++] = -w * basis(j, v.tokens[static_cast<std::size_t>(b)]);
        }
        return x;
    }
    std::vector<double> row(const Observation& o, double lambda, double beta) const {
        return o.views.empty() ? row(o.tokens, lambda, beta) : row(o.views[o.active], lambda);
    }
};

struct Solved {
    std::vector<double> coefficients;
    double sse = 0;
};

// `smooth`: weight of the penalty on differences between adjacent blocks' coefficients (a block's
// sensitivity resembles its neighbours'), which pools the evaluations of neighbouring blocks.
Solved solve(const Design& d, const std::vector<Observation>& obs, double gamma, double beta, double ridge,
             double smooth, std::size_t skip = SIZE_MAX) {
    LeastSquaresProblem pb;
    pb.nonnegative.assign(static_cast<std::size_t>(d.features()), true);
    pb.nonnegative[0] = false;
    pb.ridge = ridge;
    for (std::size_t i = 0; i < obs.size(); ++i) {
        if (i == skip) continue;
        double lambda = std::pow(std::max(obs[i].points, 1), gamma);
        pb.rows.push_back(d.row(obs[i], lambda, beta));
        pb.targets.push_back(obs[i].logit);
        pb.weights.push_back(obs[i].weight);
    }
    const std::size_t knots = d.knots.size();
    for (int b = 0; b + 2 < d.depth && smooth > 0; ++b)
        for (std::size_t j = 0; j < knots; ++j) {
            std::vector<double> row(static_cast<std::size_t>(d.features()), 0.0);
            row[1 + static_cast<std::size_t>(b) * knots + j] = 1.0;
            row[1 + static_cast<std::size_t>(b + 1) * knots + j] = -1.0;
            pb.rows.push_back(row);
            pb.targets.push_back(0.0);
            pb.weights.push_back(smooth);
        }
    LeastSquaresResult r = solve_least_squares(pb);
    return {r.coefficients, r.weighted_sse};
}

double dot(const std::vector<double>& x, const std::vector<double>& c) {
    double v = 0;
    for (std::size_t j = 0; j < x.size(); ++j) v += x[j] * c[j];
    return v;
}

// With absorption views: the largest prefix damage, i.e. the lowest logit over the views.
double predict_logit(const Design& d, const std::vector<double>& c, const std::vector<int>& after, double gamma,
                     double beta, const std::vector<ChargedView>& views = {}) {
    double lambda = std::pow(std::max(pruning_points(after, d.tokens), 1), gamma);
    if (views.empty()) return dot(d.row(after, lambda, beta), c);
    double lowest = dot(d.row(views.front(), lambda), c);
    for (std::size_t k = 1; k < views.size(); ++k) lowest = std::min(lowest, dot(d.row(views[k], lambda), c));
    return lowest;
}

// Each observation's charged prefix: the one with the largest damage under coefficients `c`;
// true if any changed.
bool choose_active(const Design& d, const std::vector<double>& c, std::vector<Observation>& obs) {
    bool changed = false;
    for (auto& o : obs) {
        if (o.views.size() < 2) continue;
        std::size_t best = o.active;
        double lowest = dot(d.row(o.views[best], 1.0), c);
        for (std::size_t k = 0; k < o.views.size(); ++k) {
            const double v = dot(d.row(o.views[k], 1.0), c);
            if (v < lowest - 1e-12) lowest = v, best = k;
        }
        changed = changed || best != o.active;
        o.active = best;
    }
    return changed;
}

}  // namespace

void AccuracyModel::Metric::charged(const std::vector<int>& tokens, int depth, int input, std::vector<int>* at,
                                    std::vector<double>* share) const {
    const std::size_t blocks = std::min(tokens.size(), static_cast<std::size_t>(std::max(depth, 0)));
    auto damage_of = [&](const std::vector<int>& n, const std::vector<double>& w) {
        double sum = 0;
        for (std::size_t b = 0; b + 1 < static_cast<std::size_t>(depth) && b < blocks; ++b)
            sum += w[b] * damage[b][static_cast<std::size_t>(std::clamp(n[b], 0, input))];
        return sum;
    };
    if (absorb < 1 && static_cast<int>(tokens.size()) == depth) {
        double largest = -1;
        for (auto& v : absorption_views(tokens, depth, input, absorb, thinning_first_block)) {
            const double d = damage_of(v.tokens, v.weight);
            if (d > largest) largest = d, *at = std::move(v.tokens), *share = std::move(v.weight);
        }
        return;
    }
    *at = tokens;
    share->assign(tokens.size(), 1.0);
    const double thinning = static_cast<int>(tokens.size()) == depth ? beta : 0.0;
    for (std::size_t b = 0; b + 1 < static_cast<std::size_t>(depth) && b < blocks; ++b)
        (*share)[b] = thinning_weight(tokens, depth, static_cast<int>(b), thinning, thinning_next, thinning_first_block);
}

// The same sum as charged() gives, without building anything: predict_top1 stays free of
// allocation (the editor calls it on every drag move, a search on every schedule it cannot add up).
double AccuracyModel::Metric::damage_sum(const std::vector<int>& tokens, int depth, int input) const {
    const int with_term = std::min(depth - 1, static_cast<int>(tokens.size()));  // the last block has none
    const auto h = [&](int b, int n) {
        return damage[static_cast<std::size_t>(b)][static_cast<std::size_t>(std::clamp(n, 0, input))];
    };
    if (absorb < 1 && static_cast<int>(tokens.size()) == depth) {
        // absorption_views(): each cut closes a prefix; the largest prefix damage
        double largest = -1, shares = 0;
        int previous = input, charged_to = 0;  // blocks [0, charged_to) are in `shares`
        for (int c = 0; c < with_term; ++c) {
            const int kept = tokens[static_cast<std::size_t>(c)];
            if (kept >= previous) continue;
            for (; charged_to < c; ++charged_to)
                shares += (charged_to < thinning_first_block ? 1.0 : absorb) * h(charged_to, tokens[static_cast<std::size_t>(charged_to)]);
            double rest = 0;
            for (int b = c; b < with_term; ++b) rest += h(b, kept);
            largest = std::max(largest, shares + rest);
            previous = kept;
        }
        if (largest >= 0) return largest;
    }
    double sum = 0;
    const double thinning = static_cast<int>(tokens.size()) == depth ? beta : 0.0;
    for (int b = 0; b < with_term; ++b)
        sum += thinning_weight(tokens, depth, b, thinning, thinning_next, thinning_first_block) * h(b, tokens[static_cast<std::size_t>(b)]);
    return sum;
}

double AccuracyModel::Metric::raw_logit(const std::vector<int>& tokens, int depth, int input) const {
    const double damage_sum = this->damage_sum(tokens, depth, input);
    if (damage_sum == 0) return intercept;
    return intercept - std::pow(std::max(pruning_points(tokens, input), 1), gamma) * damage_sum;
}

double AccuracyModel::Metric::sigma_model(double drop) const {
    return std::sqrt(sigma0_sq + rho_sq * drop * drop);
}

double AccuracyModel::Metric::value(const std::vector<int>& tokens, int depth, int input) const {
    return chance + (1.0 - chance) * logistic(raw_logit(tokens, depth, input));
}

AccuracyModel::Metric AccuracyModel::fit_metric(const std::vector<AccuracyEvaluation>& evals, bool top5,
                                                const AccuracyFitSettings& s, double* loo_rmse) const {
    Metric m;
    m.chance = std::min(0.99, (top5 ? 5.0 : 1.0) / std::max(classes_, 1));
    Design d;
    d.depth = depth_;
    d.tokens = tokens_;
    for (double f : s.knot_fractions) d.knots.push_back(f * tokens_);

    std::vector<Observation> obs;
    for (const auto& e : evals) {
        Observation o;
        o.tokens = e.tokens_after_block;
        o.acc = top5 ? e.top5 : e.top1;
        o.points = pruning_points(o.tokens, tokens_);
        o.logit = to_logit(o.acc, m.chance, e.images);
        const double p = std::clamp(o.acc, 0.5 / e.images, 1.0 - 0.5 / e.images);
        o.var_acc = p * (1 - p) / e.images;
        const double q = std::clamp((o.acc - m.chance) / (1 - m.chance), 0.5 / e.images, 1.0 - 0.5 / e.images);
        const double se_logit = std::sqrt(o.var_acc) / (1 - m.chance) / (q * (1 - q));
        o.weight = 1.0 / (se_logit * se_logit + s.model_floor_logit * s.model_floor_logit);
        obs.push_back(o);
    }

    // γ: the compounding of several pruning points, fitted on the multi-point evaluations.
    // The smoothing weight: the candidate with the lowest leave-one-out error (γ = 0 while choosing).
    double mean_weight = 0;
    for (const auto& o : obs) mean_weight += o.weight / static_cast<double>(obs.size());
    double smooth = 0, best_loo = -1;
    bool convex = true;
    // Every shape × smoothing candidate's leave-one-out error (independent: spread over the CPUs),
    // then the lowest, in the candidates' order.
    const std::size_t smoothings = s.smoothing_candidates.size();
    std::vector<double> shape_loo(s.shapes_convex.size() * smoothings, 0.0);
    parallel_for(shape_loo.size(), [&](std::size_t k) {
        Design dk = d;
        dk.convex = s.shapes_convex[k / smoothings];
        const double factor = s.smoothing_candidates[k % smoothings];
        double loo = 0;
        for (std::size_t i = 0; i < obs.size(); ++i) {
            Solved r = solve(dk, obs, 0.0, 0.0, s.ridge, factor * mean_weight, i);
            double e = predict_logit(dk, r.coefficients, obs[i].tokens, 0.0, 0.0) - obs[i].logit;
            loo += obs[i].weight * e * e;
        }
        shape_loo[k] = loo;
    });
    for (std::size_t k = 0; k < shape_loo.size(); ++k)
        if (best_loo < 0 || shape_loo[k] < best_loo)
            best_loo = shape_loo[k], smooth = s.smoothing_candidates[k % smoothings] * mean_weight,
            convex = s.shapes_convex[k / smoothings];
    d.convex = convex;
    m.convex = convex;

    // β (thinning, its reference count) and γ (compounding) act on multi-point evaluations only.
    // Candidates: each β × reference (final or next cut's count) × γ fitted (the grid value with
    // the lowest weighted error) or held at 0; the fit keeps the one with the lowest leave-one-out
    // error over the multi-point evaluations. A β > 0 (not additive over blocks) must beat the best
    // additive candidate by s.thinning_margin.
    bool multi = std::any_of(obs.begin(), obs.end(), [](const Observation& o) { return o.points >= 2; });
    auto fit_gamma = [&](double beta, bool fitted, double* gamma_out) {
        double best_gamma = 0;
        Solved best = solve(d, obs, 0.0, beta, s.ridge, smooth);
        if (multi && fitted) {
            for (int g = -20; g <= 20; ++g) {
                double gamma = g / 20.0;
                Solved r = solve(d, obs, gamma, beta, s.ridge, smooth);
                if (r.sse < best.sse - 1e-12) best = r, best_gamma = gamma;
            }
        }
        *gamma_out = best_gamma;
        return best;
    };
    // Leave-one-out over the multi-point evaluations. γ fitted: fitted again without the left-out
    // evaluation (grid step s.gamma_fold_step), or a candidate with γ would be judged on an
    // evaluation its γ has seen.
    auto loo_error = [&](const Design& d, const std::vector<Observation>& obs, bool gamma_fitted, double beta) {
        double loo = 0;
        const int steps = std::max(1, static_cast<int>(std::lround(1.0 / std::max(s.gamma_fold_step, 1e-3))));
        for (std::size_t i = 0; i < obs.size(); ++i) {
            if (obs[i].points < 2) continue;  // β and γ change nothing else
            Solved best_r = solve(d, obs, 0.0, beta, s.ridge, smooth, i);
            double gamma = 0;
            if (gamma_fitted)
                for (int g = -steps; g <= steps; ++g) {
                    const double candidate = static_cast<double>(g) / steps;
                    if (g == 0) continue;
                    Solved r = solve(d, obs, candidate, beta, s.ridge, smooth, i);
                    if (r.sse < best_r.sse - 1e-12) best_r = r, gamma = candidate;
                }
            double e = predict_logit(d, best_r.coefficients, obs[i].tokens, gamma, beta, obs[i].views) - obs[i].logit;
            loo += obs[i].weight * e * e;
        }
        return loo;
    };
    // Absorption ρ < 1: each evaluation's prefixes, the charged one chosen by the fit (the largest
    // damage; alternating with the fit until no choice changes). ρ = 1: none (thinning's rows).
    auto prepare_absorption = [&](const Design& d, std::vector<Observation>& obs, double rho) {
        for (auto& o : obs) {
            o.views = rho < 1 ? absorption_views(o.tokens, depth_, tokens_, rho, s.thinning_first_block)
                              : std::vector<ChargedView>{};
            o.active = o.views.empty() ? 0 : o.views.size() - 1;
        }
        for (int round = 0; rho < 1 && round < 8; ++round)
            if (!choose_active(d, solve(d, obs, 0.0, 0.0, s.ridge, smooth).coefficients, obs)) break;
    };
    struct Choice {
        double beta = 0;
        bool next = false;
        bool gamma_fitted = true;
        double absorb = 1;
        bool additive() const { return beta == 0 && absorb >= 1; }
    };
    std::vector<Choice> choices;
    // No thinning candidates with absorption ones: absorption forced (a test's fixture).
    const bool absorption_only = multi && s.thinning_candidates.empty() &&
                                 std::any_of(s.absorption_candidates.begin(), s.absorption_candidates.end(), [](double r) { return r < 1 && r >= 0; });
    const std::vector<double> betas = absorption_only ? std::vector<double>{}
                                      : multi && !s.thinning_candidates.empty() ? s.thinning_candidates : std::vector<double>{0.0};
    const std::vector<bool> references = s.thinning_references.empty() ? std::vector<bool>{false} : s.thinning_references;
    const std::vector<bool> gammas = s.gamma_fitted.empty() ? std::vector<bool>{true} : s.gamma_fitted;
    for (bool fitted : gammas)
        for (double beta : betas)
            for (bool next : references) {
                if (beta == 0 && next != references.front()) continue;  // the same model
                choices.push_back({beta, next, fitted});
            }
    for (bool fitted : gammas)
        for (double rho : s.absorption_candidates)
            if (multi && rho < 1 && rho >= 0) choices.push_back({0.0, false, fitted, rho});
    d.thinning_first_block = s.thinning_first_block;
    m.thinning_first_block = s.thinning_first_block;
    Choice chosen = choices.front();
    if (choices.size() > 1) {
        double best_loo = -1, best_additive_loo = -1;
        Choice best_additive = choices.front();
        // The candidates are independent (each on its own copy of the observations): spread over
        // the CPUs, the choice takes a fraction of the time (it is most of the fit's).
        std::vector<double> loos(choices.size(), 0.0);
        auto evaluate = [&](std::size_t k) {
            const Choice& c = choices[k];
            Design dc = d;
            dc.thinning_next = c.next;
            std::vector<Observation> oc = obs;
            prepare_absorption(dc, oc, c.absorb);
            loos[k] = loo_error(dc, oc, c.gamma_fitted, c.beta);
        };
        parallel_for(choices.size(), evaluate);
        for (std::size_t k = 0; k < choices.size(); ++k) {
            const Choice& c = choices[k];
            const double loo = loos[k];
            if (best_loo < 0 || loo < best_loo) best_loo = loo, chosen = c;
            if (c.additive() && (best_additive_loo < 0 || loo < best_additive_loo)) best_additive_loo = loo, best_additive = c;
        }
        if (!chosen.additive() && best_additive_loo >= 0 && best_loo > (1.0 - s.thinning_margin) * best_additive_loo)
            chosen = best_additive;
    }
    d.thinning_next = chosen.next;
    m.thinning_next = chosen.next;
    prepare_absorption(d, obs, chosen.absorb);
    double best_gamma = 0;
    const double best_beta = chosen.beta;
    Solved best = fit_gamma(best_beta, chosen.gamma_fitted, &best_gamma);
    for (int round = 0; chosen.absorb < 1 && round < 4 && choose_active(d, best.coefficients, obs); ++round)
        best = fit_gamma(best_beta, chosen.gamma_fitted, &best_gamma);
    m.absorb = chosen.absorb;
    m.beta = best_beta;
    m.gamma = best_gamma;
    m.intercept = best.coefficients[0];
    m.damage.assign(static_cast<std::size_t>(depth_), std::vector<double>(static_cast<std::size_t>(tokens_) + 1, 0.0));
    for (int b = 0; b + 1 < depth_; ++b)
        for (int n = 0; n <= tokens_; ++n) {
            double h = 0;
            for (std::size_t j = 0; j < d.knots.size(); ++j)
                h += best.coefficients[1 + static_cast<std::size_t>(b) * d.knots.size() + j] * d.basis(j, n);
            m.damage[static_cast<std::size_t>(b)][static_cast<std::size_t>(n)] = h;
        }

    // Leave-one-out residuals (γ held): the model's own error once each evaluation's sampling
    // noise is taken out.
    // Its variance grows with the predicted drop: fit σ0² + ρ²·drop² (both ≥ 0) to them.
    const double baseline = m.value(std::vector<int>(static_cast<std::size_t>(depth_), tokens_), depth_, tokens_);
    LeastSquaresProblem variance;
    variance.nonnegative = {true, true};
    double sq = 0;
    for (std::size_t i = 0; i < obs.size(); ++i) {
        Solved r = solve(d, obs, best_gamma, best_beta, s.ridge, smooth, i);
        double predicted =
            m.chance + (1 - m.chance) * logistic(predict_logit(d, r.coefficients, obs[i].tokens, best_gamma, best_beta, obs[i].views));
        double residual_sq = (predicted - obs[i].acc) * (predicted - obs[i].acc);
        sq += residual_sq;
        double drop = baseline - m.value(obs[i].tokens, depth_, tokens_);
        variance.rows.push_back({1.0, drop * drop});
        variance.targets.push_back(residual_sq - obs[i].var_acc);
    }
    if (loo_rmse) *loo_rmse = std::sqrt(sq / static_cast<double>(obs.size()));
    LeastSquaresResult v = solve_least_squares(variance);
    m.sigma0_sq = v.coefficients[0];
    m.rho_sq = v.coefficients[1];
    return m;
}

AccuracyModel AccuracyModel::fit(const AccuracyCalibration& cal, const std::string& method, const AccuracyFitSettings& s) {
    AccuracyModel model;
    model.depth_ = cal.model.depth;
    model.tokens_ = cal.model.tokens;
    model.classes_ = cal.model.num_classes;
    model.subset_ = cal.subset.size;
    model.z_ = s.z;
    if (model.depth_ < 2 || model.tokens_ < 2)
        throw FormatError("/model", "accuracy model needs depth >= 2 and tokens >= 2");
    std::vector<AccuracyEvaluation> evals = cal.for_method(method);
    int baseline = 0, own = 0, multi = 0;
    for (const auto& e : evals) {
        int k = pruning_points(e.tokens_after_block, model.tokens_);
        (k == 0 ? baseline : own) += 1;
        if (k >= 2) ++multi;
    }
    if (baseline == 0)
        throw FormatError("calibration", "no unpruned (baseline) evaluation of model '" + cal.model.name + "'");
    if (own < 3)
        throw FormatError("calibration", "method '" + method + "' is not calibrated for model '" + cal.model.name +
                                             "': " + std::to_string(own) + " evaluation(s), at least 3 needed");

    model.fewest_calibrated_.assign(static_cast<std::size_t>(model.depth_), model.tokens_);
    for (const auto& e : evals)
        for (int b = 0; b < model.depth_; ++b)
            model.fewest_calibrated_[static_cast<std::size_t>(b)] =
                std::min(model.fewest_calibrated_[static_cast<std::size_t>(b)], e.tokens_after_block[static_cast<std::size_t>(b)]);

    double loo1 = 0;
    model.top1_ = model.fit_metric(evals, false, s, &loo1);
    // Top-5 takes top-1's thinning or absorption choice (its γ fitted again): the leave-one-out
    // choice is made once, which halves the fit's time.
    AccuracyFitSettings s5 = s;
    s5.gamma_fitted = {true};
    s5.thinning_references = {model.top1_.thinning_next};
    s5.absorption_candidates = {model.top1_.absorb};
    s5.thinning_candidates = model.top1_.absorb < 1 ? std::vector<double>{} : std::vector<double>{model.top1_.beta};
    model.top5_ = model.fit_metric(evals, true, s5, nullptr);

    for (Metric* m : {&model.top1_, &model.top5_}) {
        m->baseline = m->value(std::vector<int>(static_cast<std::size_t>(model.depth_), model.tokens_), model.depth_,
                               model.tokens_);
        m->anchor = m->baseline;
    }
    model.anchor_.split = cal.subset.split;
    model.anchor_.used_split = cal.subset.label();
    model.anchor_.from_fit = true;
    model.anchor_.fallback = false;
    model.anchor_.source = "calibration fit";

    auto& r = model.report_;
    r.method = method;
    r.evaluations = static_cast<int>(evals.size());
    r.multi_point = multi;
    r.gamma = model.top1_.gamma;
    r.beta = model.top1_.beta;
    r.thinning_next = model.top1_.thinning_next;
    r.absorb = model.top1_.absorb;
    r.convex = model.top1_.convex;
    r.baseline_top1 = model.top1_.baseline;
    r.loo_rmse_top1 = loo1;
    r.sigma0_top1 = std::sqrt(model.top1_.sigma0_sq);
    r.rho_top1 = std::sqrt(model.top1_.rho_sq);
    r.subset_images = model.subset_;
    return model;
}

std::string band_caveat(const AccuracyFitReport& r) {
    // Random pruning keeps the same positions for every image (one draw per seed, block and
    // lengths): which positions a seed draws moves top-1 by ~1 pp (SD over five seeds of ten
    // held-out schedules on the test split, docs/accuracy-model.md) — a spread no prediction from
    // token counts can know, so the band carries it whatever the fit.
    if (r.method == "random")
        return "band wide: random keeps one set of patch positions for every image (one draw per seed); which "
               "positions the seed draws moves top-1 by about 1 pp, which token counts cannot predict";
    if (r.loo_rmse_top1 <= 0.015) return {};
    char buf[200];
    std::snprintf(buf, sizeof buf,
                  "band wide: %s's accuracy falls steeply with tokens here, its calibration fits to %.1f pp (leave-one-out)",
                  r.method.c_str(), 100 * r.loo_rmse_top1);
    return buf;
}

void AccuracyModel::anchor_to(const ResolvedAnchor& a) {
    anchor_ = a;
    if (a.from_fit) {
        if (anchor_.used_split.empty()) anchor_.used_split = "calibration subset";
        top1_.anchor = top1_.baseline, top5_.anchor = top5_.baseline;
        top1_.anchor_images = top5_.anchor_images = 0;
        return;
    }
    top1_.anchor = a.top1, top5_.anchor = a.top5;
    top1_.anchor_images = top5_.anchor_images = a.images;
}

double AccuracyModel::predict_top1(const std::vector<int>& tokens) const {
    return std::clamp(top1_.anchor - (top1_.baseline - top1_.value(tokens, depth_, tokens_)), 0.0, 1.0);
}

double AccuracyModel::top1_block_damage(int block, int tokens) const {
    if (block < 0 || block + 1 >= depth_) return 0.0;  // the last block's tokens never reach CLS
    const int n = std::clamp(tokens, 0, tokens_);
    return top1_.damage[static_cast<std::size_t>(block)][static_cast<std::size_t>(n)];
}

double AccuracyModel::top1_from_damage(double damage_sum, int cuts) const {
    const double logit =
        damage_sum == 0 ? top1_.intercept : top1_.intercept - std::pow(std::max(cuts, 1), top1_.gamma) * damage_sum;
    const double value = top1_.chance + (1.0 - top1_.chance) * logistic(logit);
    return std::clamp(top1_.anchor - (top1_.baseline - value), 0.0, 1.0);
}

// The band: value ± z·sqrt(σ_model(drop)² + p(1−p)/subset + level + measurement)
//   σ_model(drop)²   the model's own error (leave-one-out), doubled where extrapolated;
//   p(1−p)/subset    the drop was learnt on the calibration subset's images (its sampling error;
//                    unanchored it is also the error of the fit's level). Neither term applies to
//                    the unpruned schedule: its drop is zero by definition;
//   level            anchored: the anchor's sampling error p(1−p)/anchor_images, left out when the
//                    band is for a measurement on as many images as the anchor (the same whole
//                    split: both share the images); a holdout anchor standing in for another split
//                    counts twice;
//   measurement      p(1−p)/measurement_images when the band is for a measurement (none for the
//                    unpruned model on the anchor's own images: that evaluation is the anchor).
MetricPrediction AccuracyModel::predict_metric(const Metric& m, const std::vector<int>& tokens, int measurement_images,
                                               bool extrapolated) const {
    MetricPrediction out;
    out.drop = std::max(0.0, m.baseline - m.value(tokens, depth_, tokens_));
    out.anchor = m.anchor;
    out.value = std::clamp(m.anchor - out.drop, 0.0, 1.0);
    const double p = std::clamp(out.value, 1e-4, 1 - 1e-4);
    const bool pruned = pruning_points(tokens, tokens_) > 0;
    const bool anchored = m.anchor_images > 0;
    const bool on_anchor_images = anchored && measurement_images == m.anchor_images;
    double var = 0;
    if (pruned) {
        const double sigma_model = m.sigma_model(out.drop) * (extrapolated ? 2.0 : 1.0);
        var += sigma_model * sigma_model + p * (1 - p) / std::max(subset_, 1);
    } else if (!anchored) {
        var += p * (1 - p) / std::max(subset_, 1);  // the unpruned level is the fit's, on the subset
    }
    if (anchored && !on_anchor_images) var += (anchor_.fallback ? 2.0 : 1.0) * p * (1 - p) / m.anchor_images;
    // The unpruned model evaluated on the anchor's own images gives the anchor itself.
    if (measurement_images > 0 && (pruned || !on_anchor_images)) var += p * (1 - p) / measurement_images;
    out.se = std::sqrt(var);
    out.low = std::max(0.0, out.value - z_ * out.se);
    out.high = std::min(1.0, out.value + z_ * out.se);
    return out;
}

AccuracyPrediction AccuracyModel::predict(const std::vector<int>& tokens, int measurement_images) const {
    if (static_cast<int>(tokens.size()) != depth_)
        throw FormatError("/tokens_after_block", "schedule has " + std::to_string(tokens.size()) +
                                                     " blocks but the calibrated model has " + std::to_string(depth_));
    AccuracyPrediction out;
    for (int b = 0; b < depth_; ++b)
        if (tokens[static_cast<std::size_t>(b)] < fewest_calibrated_[static_cast<std::size_t>(b)] && b + 1 < depth_)
            out.extrapolated = true;
    out.top1 = predict_metric(top1_, tokens, measurement_images, out.extrapolated);
    out.top5 = predict_metric(top5_, tokens, measurement_images, out.extrapolated);

    // Per-block bars: the top-1 drop split in proportion to each block's charged damage term.
    out.block_drop.assign(static_cast<std::size_t>(depth_), 0.0);
    std::vector<double> charged(static_cast<std::size_t>(depth_), 0.0);
    double total = 0;
    std::vector<int> at;
    std::vector<double> share;
    top1_.charged(tokens, depth_, tokens_, &at, &share);
    for (int b = 0; b + 1 < depth_; ++b) {
        const int n = std::clamp(at[static_cast<std::size_t>(b)], 0, tokens_);
        charged[static_cast<std::size_t>(b)] = share[static_cast<std::size_t>(b)] *
                                               top1_.damage[static_cast<std::size_t>(b)][static_cast<std::size_t>(n)];
        total += charged[static_cast<std::size_t>(b)];
    }
    if (total > 0)
        for (int b = 0; b + 1 < depth_; ++b)
            out.block_drop[static_cast<std::size_t>(b)] = out.top1.drop * charged[static_cast<std::size_t>(b)] / total;
    return out;
}

}  // namespace tp
