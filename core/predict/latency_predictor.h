#pragma once
// Predicted end-to-end latency of any schedule on the device a profile was measured on
// (methods.md §7, docs/latency-model.md).
//
//   LatencyPredictor predictor(profile, [](const Curve& c) { return detect_steps(c); });
//   double ms = predictor.predict_ms(schedule.tokens_after_block, schedule.method);  // ~1 µs, no allocation
//   LatencyPrediction p = predictor.predict(schedule);   // value + band + per-term breakdown
//   apply_latency_calibration(predictor, calibration.entries);  // latency_calibration.h
//
// The constructor does all the work once per profile (step analysis of every curve, tables at every
// token count, the in-context correction fit); predict() then only reads arrays.
//
// Model: L = embed(N) + head(n_last) + Σ_b block_b(n_b) + Σ_cuts prune_op(method, b, n_in, n_out)
//            + context correction,
// where a pruning block runs its attention at n_in and its MLP at n_out. Tables never interpolate
// across a detected edge (curve_lookup.h). Each term says whether it was measured (its own curve) or
// inferred (from another curve: a same-shaped block, the block split by FLOPs, the whole-model curve,
// a pruning op measured at another input length) — see LatencyTerm.
#include <functional>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "core/model/latency_prediction.h"
#include "core/model/profile.h"
#include "core/model/schedule.h"
#include "core/predict/curve_lookup.h"
#include "core/steps/step_detector.h"

namespace tp {

using CurveAnalyser = std::function<StepAnalysis(const Curve&)>;

// Relative band around a prediction: [ms·(1+low_rel), ms·(1+high_rel)].
struct LatencyBand {
    double low_rel = -0.05;
    double high_rel = 0.05;
    double coverage = 0.9;     // share of measured schedules the band is meant to hold
    int samples = 0;           // measured schedules it was calibrated on (0: default)
    std::string source = "default";  // default | calibrated
};

// The profile re-levelled for another machine (tailprune calibrate-latency, relevel.h): the
// profile's shape, that machine's level. Everything but the pruning ops is scaled by `scale` and
// moved by `offset_ms` (fitted on the whole-model curve measured there at a few sizes); each
// method's pruning op by its own scale (measured there at a few sizes; `scale` for a method not
// measured).
struct HostRelevel {
    double scale = 1;
    double offset_ms = 0;
    std::map<std::string, double> op_scale;
    std::string machine;  // whose level, for the breakdown's source
    bool active() const { return scale != 1 || offset_ms != 0 || !op_scale.empty(); }
    double op_scale_for(const std::string& method) const {
        auto it = op_scale.find(method);
        return it == op_scale.end() ? scale : it->second;
    }
};

class LatencyPredictor {
public:
    // Throws FormatError when the profile cannot predict anything (no block, model or
    // attention/MLP curves). Unmeasured parts are inferred and listed in warnings().
    LatencyPredictor(const Profile& profile, const CurveAnalyser& analyse);

    // Fast path: no allocation. tokens_after_block must have depth() entries, non-increasing,
    // within 1..input_tokens() (checked by predict(); unchecked here beyond clamping).
    double predict_ms(const std::vector<int>& tokens_after_block, const std::string& method) const;
    // Checks the schedule against the profile's model (FormatError naming the field) and returns
    // the value, band, breakdown and the unpruned value.
    LatencyPrediction predict(const Schedule& schedule) const;
    // Same without the band and checks, for calibration and benches.
    LatencyPrediction breakdown(const std::vector<int>& tokens_after_block, const std::string& method) const;
    // The additive parts of predict_ms, for a search that adds a schedule up block by block
    // (core/search): with in_b the length entering block b, B = Σ_b block_raw_ms(b, in_b, t[b], m, &op_b)
    // and O = Σ_b op_b (the pruning ops' share of B), summed in block order,
    //   predict_ms(t, m) == total_ms_from_blocks(B, O, t.back(), cuts(t), m).
    // The total rises with B − O and with O (context scale ≥ −0.5, re-levelling scales positive;
    // without re-levelling O does not count apart), which is what lets a search drop a partial
    // schedule another one beats on every such sum so far.
    double block_raw_ms(int block, int tokens_in, int tokens_out, const std::string& method,
                        double* op_ms = nullptr) const;
    double total_ms_from_blocks(double blocks_ms, double ops_ms, int last_tokens, int cuts,
                                const std::string& method) const;

    int depth() const { return depth_; }
    int input_tokens() const { return tokens_; }
    double unpruned_ms() const;
    const LatencyBand& band() const { return band_; }
    void set_band(const LatencyBand& band) { band_ = band; }
    // The band of predictions relative to unpruned (LatencyPrediction::relative): the default band
    // until calibrated on measured schedules with their unpruned model (calibrate_relative_band).
    const LatencyBand& relative_band() const { return relative_band_; }
    void set_relative_band(const LatencyBand& band) { relative_band_ = band; }
    // The default band before calibration: ±5%, or ±2× the profile's median point noise if larger.
    LatencyBand default_band() const { return default_band_; }
    // In-context correction fitted on the whole-model and deployed curves: measured ≈ raw + offset + scale·raw_blocks.
    double context_offset_ms() const { return context_offset_ms_; }
    double context_scale() const { return context_scale_; }
    int context_points() const { return context_points_; }
    const std::vector<std::string>& warnings() const { return warnings_; }

    // Per pruning point of a method, what end-to-end measurements of that method's schedules show
    // beyond the profiled parts (fit_method_corrections in latency_calibration.h): e.g. a method
    // whose importance needs attention probabilities or keys makes its pruning block's attention
    // costlier than the profiled plain attention. Added once per pruning point, as its own term.
    struct MethodCorrection {
        double ms_per_cut = 0;
        int samples = 0;
    };
    void set_method_corrections(std::map<std::string, MethodCorrection> corrections) { corrections_ = std::move(corrections); }
    // The host's level on the record's days against the profile's: every prediction times (1 + scale).
    void set_record_scale(double scale) { record_scale_ = scale; }
    double record_scale() const { return record_scale_; }
    // Applied before the record's level and method corrections, which are then fitted on top.
    void set_relevel(HostRelevel relevel) { relevel_ = std::move(relevel); }
    const HostRelevel& relevel() const { return relevel_; }
    const std::map<std::string, MethodCorrection>& method_corrections() const { return corrections_; }
    double method_correction_ms(const std::string& method, int cuts) const;

private:
    struct Table {                      // value at every token count 1..N (index = tokens)
        std::vector<double> ms;
        bool measured = false;
        std::string source;
        bool empty() const { return ms.empty(); }
        double at(int tokens) const {
            int n = tokens < 1 ? 1 : (tokens >= int(ms.size()) ? int(ms.size()) - 1 : tokens);
            return ms[static_cast<std::size_t>(n)];
        }
    };
    struct PruneOpTable {
        int block = 0;
        int tokens_in = 0;
        CurveLookup lookup;
        std::string name;
    };
    struct OpValue {
        double ms = 0;
        bool measured = false;
        const PruneOpTable* table = nullptr;
        const PruneOpTable* other = nullptr;  // second input length when interpolated between two
    };

    void build_block_tables(const Profile& profile, const CurveAnalyser& analyse);
    void fit_context_correction(const Profile& profile);
    OpValue prune_op(const std::string& method, int block, int tokens_in, int tokens_out) const;
    static std::string op_source(const OpValue& op, int block, int tokens_in);
    // `input`: length entering block 0 (the whole-model curve prunes right after the embedding).
    // `ops_ms` (when given) receives the pruning ops' share of the total.
    double raw_blocks_ms(const std::vector<int>& tokens_after_block, const std::string& method, int input,
                         double* ops_ms = nullptr) const;
    // The profile's raw prediction (parts + context, no method correction, no level) on this machine.
    double relevelled_ms(double fixed, double blocks, double ops, const std::string& method) const;
    double fixed_ms(int last_tokens) const;

    int depth_ = 0;
    int tokens_ = 0;
    Table embed_, head_;
    std::vector<Table> block_, attn_, mlp_;
    std::map<std::string, std::vector<PruneOpTable>> prune_ops_;  // by method, sorted by (block, tokens_in)
    double context_offset_ms_ = 0;
    double context_scale_ = 0;
    int context_points_ = 0;
    LatencyBand band_;
    LatencyBand relative_band_;
    LatencyBand default_band_;
    std::vector<std::string> warnings_;
    std::map<std::string, MethodCorrection> corrections_;
    double record_scale_ = 0;
    HostRelevel relevel_;
};

// Pruning points of a schedule: blocks that end with fewer tokens than they began with.
int pruning_point_count(const std::vector<int>& tokens_after_block, int input_tokens);

}  // namespace tp
