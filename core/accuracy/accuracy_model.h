#pragma once
// Predicted top-1 / top-5 of any schedule of one method, from calibration evaluations
// (docs/accuracy-model.md).
//
//   AccuracyModel model = AccuracyModel::fit(calibration, "pomt");   // once per (model, method); ~0.5 s
//   double top1 = model.predict_top1(schedule.tokens_after_block);  // < 1 µs, no allocation
//   AccuracyPrediction p = model.predict(schedule.tokens_after_block); // values, bands, per-block bars
//   model.anchor_to(resolve_anchor("test", calibration.anchors, card_anchors)); // predict for the test split
//
// The fit predicts the *drop* a schedule causes from the unpruned model; the value shown is the
// anchor (the unpruned model's measured top-1 on the split asked for) minus that drop. Unanchored,
// the anchor is the fit's own unpruned level on the calibration subset (the holdout split).
//
// Model, per metric, on accuracy above chance q = (acc − c) / (1 − c), c = 1/classes (top-5: 5/classes):
//   logit q(s) = θ0 − k(s)^γ · Σ_b h_b(n_b)
// n_b = tokens leaving block b, k(s) = number of pruning points, h_b(n) = Σ_j c_bj·max(0, κ_j − n)/N
// with c_bj ≥ 0 (each block's damage falls as it keeps more tokens, convex, zero at N). The last
// block's tokens do not reach the CLS token and carry no term. Weighted least squares (weights =
// inverse sampling variance of each evaluation + a model floor; adjacent blocks' coefficients pulled
// together by a penalty chosen by leave-one-out); γ from the multi-point evaluations
// (grid over [−1, 1]; 0 when there are none). Band: ±z·sqrt(σ_model² + p(1−p)/subset
// [+ p(1−p)/measurement_images]), σ_model from leave-one-out residuals minus their sampling noise,
// doubled where a block runs below the fewest tokens calibrated there.
#include <string>
#include <vector>

#include "core/accuracy/accuracy_data.h"

namespace tp {

struct AccuracyFitSettings {
    std::vector<double> knot_fractions = {1.0, 0.85, 0.7, 0.55, 0.4, 0.25, 0.1};  // κ_j / N
    double ridge = 1e-3;             // on the damage coefficients
    // Penalty weights (× the mean evaluation weight) on adjacent blocks' coefficient differences;
    // the fit keeps the one with the lowest leave-one-out error.
    std::vector<double> smoothing_candidates = {0.0, 0.03, 0.3, 3.0};
    // Damage shapes tried (true: convex ramps, false: any non-increasing piecewise-linear); the fit
    // keeps the one with the lowest leave-one-out error, with the smoothing weight.
    std::vector<bool> shapes_convex = {true, false};
    // Thinning (docs/accuracy-model.md, issue 26): a block whose tokens a later cut thins further
    // is charged (n_ref / n_b)^β of its damage, n_ref being the final count or the next cut's
    // (`thinning_references`: false = final, true = next). With the γ choices (`gamma_fitted`:
    // true = fitted on the grid, false = held at 0), the fit keeps the combination with the lowest
    // leave-one-out error over the multi-point evaluations (γ fitted again in each fold); a β > 0
    // must lower it by `thinning_margin` (a share) against the best β = 0 one. One value each:
    // forced. Thinning lowers the cross-validated error on fmnist_vit8 (bench_accuracy_cv:
    // "thinning-late" 1.24 pp against 1.35 additive) but it is not monotone: a later cut that keeps
    // fewer tokens lowers the charge of the blocks before it, so one token fewer there can *raise*
    // the prediction (7–15% of such steps for the methods that pick β > 0, by up to 7 pp), and a
    // search would seek out those schedules. It is off by default (β = 0); with_thinning() turns
    // the choice on. The default is absorption (below), its monotone form.
    std::vector<double> thinning_candidates = {0.0};
    std::vector<bool> thinning_references = {false};
    std::vector<bool> gamma_fitted = {true, false};
    double thinning_margin = 0.05;
    // Blocks before this one are charged in full whatever later cuts do (0: every block may be
    // thinned). 1 exempts block 0: on fmnist_vit8 a first cut at block 0 compounds with later cuts
    // (Top-K, Zero-TPrune and random measured 1.2–2.6 pp below the additive prediction there) while
    // later cuts absorb each other (variants "thinning-late", "absorb-late"; bench_accuracy_cv).
    int thinning_first_block = 1;
    // Absorption (core/accuracy/absorption.h): ρ, the share of an earlier segment's damage charged
    // once a later cut follows, the damage being the largest of the schedule's prefixes'
    // (monotone). Each ρ < 1 is a candidate with β = 0, chosen like β (with the margin); blocks
    // before thinning_first_block are charged in full. {1}: off. With thinning_candidates empty,
    // the absorption candidates alone are tried (one: forced). The default (session 13: variant
    // "absorb-late", ρ and γ fitted or 0 by leave-one-out, block 0 in full) has the lowest pooled
    // cross-validated error of every variant tried on fmnist_vit8 (1.23 pp against 1.35 additive),
    // is monotone in every count, and keeps the schedule search exact (core/search/additive_costs.h).
    std::vector<double> absorption_candidates = {0.25, 0.5, 0.75};
    double gamma_fold_step = 0.1;    // γ grid step when γ is fitted again inside each leave-one-out fold
    double model_floor_logit = 0.05; // added to each evaluation's logit standard error
    double z = 1.96;                 // band half-width in standard errors (95%)

    // Additive over blocks (β = 0, no absorption), γ fitted: the default before session 13.
    static AccuracyFitSettings additive() {
        AccuracyFitSettings s;
        s.gamma_fitted = {true};
        s.thinning_first_block = 0;
        s.absorption_candidates = {1.0};
        return s;
    }
    // The settings with the thinning choice on: β ∈ {0, 0.5, 1, 2, 3} × reference {final, next}
    // × γ {fitted, 0}, by leave-one-out, every block thinned alike (variant "thinning-by-loo").
    static AccuracyFitSettings with_thinning() {
        AccuracyFitSettings s = additive();
        s.thinning_candidates = {0.0, 0.5, 1.0, 2.0, 3.0};
        s.thinning_references = {false, true};
        s.gamma_fitted = {true, false};
        return s;
    }
};

struct MetricPrediction {
    double value = 0;                // fraction 0..1: anchor − drop
    double low = 0;
    double high = 0;
    double se = 0;                   // standard error behind the band
    double drop = 0;                 // predicted drop from the unpruned model (fraction, ≥ 0)
    double anchor = 0;               // the unpruned level the value is anchored to
};

struct AccuracyPrediction {
    MetricPrediction top1;
    MetricPrediction top5;
    bool extrapolated = false;       // a block runs below the fewest tokens calibrated there
    std::vector<double> block_drop;  // top-1 drop attributed to each block (fraction), sums to top1.drop
};

struct AccuracyFitReport {
    std::string method;
    int evaluations = 0;             // used (including the baseline)
    int multi_point = 0;
    double gamma = 0;
    double beta = 0;                 // top-1 thinning exponent (0: additive over blocks)
    bool thinning_next = false;      // β relative to the next cut's count (false: the final count)
    double absorb = 1;               // top-1 absorption share ρ (1: none)
    bool convex = true;              // top-1 damage shape: convex ramps, or any monotone (chosen by leave-one-out)
    double baseline_top1 = 0;        // the fit's unpruned level on the calibration subset
    double loo_rmse_top1 = 0;        // leave-one-out RMS error, fraction
    double sigma0_top1 = 0;          // model error at zero drop, after removing sampling noise, fraction
    double rho_top1 = 0;             // model error per unit of predicted drop
    int subset_images = 0;
};

// One sentence for a user when a method's predictions rest on a poor fit (its leave-one-out error
// exceeds what the band's other terms cover); empty otherwise.
std::string band_caveat(const AccuracyFitReport& report);

class AccuracyModel {
public:
    // Throws FormatError (naming the method and what is missing) without a baseline evaluation or
    // with fewer than 3 evaluations of `method`.
    static AccuracyModel fit(const AccuracyCalibration& calibration, const std::string& method,
                             const AccuracyFitSettings& settings = {});

    // Anchors the predictions to a split's measured unpruned accuracy (resolve_anchor); an anchor
    // `from_fit` keeps the fit's own level. Without a call, predictions are for the calibration subset.
    void anchor_to(const ResolvedAnchor& anchor);
    const ResolvedAnchor& anchor() const { return anchor_; }

    double predict_top1(const std::vector<int>& tokens_after_block) const;
    // The additive parts of predict_top1, for a search that adds a schedule up block by block
    // (core/search): predict_top1(t) == top1_from_damage(Σ_b w_b · top1_block_damage(b, t[b]), cuts(t)),
    // w_b = 1 without thinning. The value falls as the damage sum rises, for any number of cuts.
    // With thinning (β > 0) the sum is not plain: ThinningRule says how each block's damage is
    // weighed by later cuts, for a search that charges it segment by segment (core/search).
    double top1_block_damage(int block, int tokens) const;
    double top1_from_damage(double damage_sum, int cuts) const;
    struct ThinningRule {
        double beta = 0;          // 0: additive over blocks
        bool next = false;        // weighed against the next cut's count (false: the final count)
        int first_block = 0;      // blocks before it are charged in full
        double absorb = 1;        // absorption share ρ (core/accuracy/absorption.h; 1: none, β is then 0)
    };
    ThinningRule top1_thinning() const {
        return {top1_.beta, top1_.thinning_next, top1_.thinning_first_block, top1_.absorb};
    }
    // measurement_images > 0: the band is for a measurement on that many images (adds its sampling
    // error); 0: for the population accuracy.
    AccuracyPrediction predict(const std::vector<int>& tokens_after_block, int measurement_images = 0) const;

    const AccuracyFitReport& report() const { return report_; }
    int depth() const { return depth_; }
    int input_tokens() const { return tokens_; }
    const std::string& method() const { return report_.method; }

private:
    struct Metric {
        double chance = 0;
        double intercept = 0;                   // θ0
        double gamma = 0;
        double beta = 0;                         // thinning exponent chosen by leave-one-out
        bool thinning_next = false;
        int thinning_first_block = 0;            // AccuracyFitSettings::thinning_first_block
        double absorb = 1;                       // absorption share ρ chosen by leave-one-out
        bool convex = true;                      // damage shape chosen by leave-one-out
        std::vector<std::vector<double>> damage; // [block][tokens] = h_b(n)
        double sigma0_sq = 0;                    // model error variance: σ0² + ρ²·drop² (fractions)
        double rho_sq = 0;
        double sigma_model(double drop) const;
        double raw_logit(const std::vector<int>& tokens, int depth, int input) const;
        double damage_sum(const std::vector<int>& tokens, int depth, int input) const;  // allocation-free
        // Per block: the count it is charged at and the share charged (thinning or the largest
        // absorption prefix); sum of share × damage is the damage sum.
        void charged(const std::vector<int>& tokens, int depth, int input, std::vector<int>* at,
                     std::vector<double>* share) const;
        double value(const std::vector<int>& tokens, int depth, int input) const;
        double baseline = 0;                     // value() of the unpruned schedule
        double anchor = 0;                       // the level predictions are shown at
        int anchor_images = 0;                   // 0: the fit's own level
    };
    Metric fit_metric(const std::vector<AccuracyEvaluation>& evals, bool top5, const AccuracyFitSettings& s,
                      double* loo_rmse) const;
    MetricPrediction predict_metric(const Metric& m, const std::vector<int>& tokens, int measurement_images,
                                    bool extrapolated) const;

    int depth_ = 0;
    int tokens_ = 0;
    int classes_ = 0;
    int subset_ = 0;
    double z_ = 1.96;
    Metric top1_, top5_;
    ResolvedAnchor anchor_;
    std::vector<int> fewest_calibrated_;        // per block: fewest tokens it ran at in a calibration
    AccuracyFitReport report_;
};

}  // namespace tp
