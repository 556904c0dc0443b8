#include "core/predict/latency_predictor.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "core/util/median.h"
#include "core/util/format_error.h"

namespace tp {

namespace {

std::vector<double> table_of(const Curve& curve, const CurveAnalyser& analyse, int max_tokens) {
    CurveLookup lookup(curve, analyse(curve), max_tokens);
    std::vector<double> ms(static_cast<std::size_t>(max_tokens) + 1, 0.0);
    for (int t = 1; t <= max_tokens; ++t) ms[static_cast<std::size_t>(t)] = lookup.at(t);
    return ms;
}

const Curve* usable(const Profile& profile, const Scope& scope) {
    const Curve* c = profile.find_curve(scope);
    return c && !c->points.empty() ? c : nullptr;
}

Scope block_scope(ScopeKind kind, int block) {
    Scope s;
    s.kind = kind;
    s.block = block;
    return s;
}

// Attention's share of a block's time by FLOPs per token: qkv + proj (4d²) and QKᵀ, AV (2nd)
// against fc1 + fc2 (2·ratio·d²). Used only when no attention/MLP curve was measured at all.
double flop_attention_share(const ModelInfo& m, int tokens) {
    const double d = m.embed_dim, n = tokens, ratio = m.mlp_ratio_x100 / 100.0;
    const double attn = 4 * d * d + 2 * n * d, mlp = 2 * ratio * d * d;
    return attn / (attn + mlp);
}

}  // namespace

LatencyPredictor::LatencyPredictor(const Profile& profile, const CurveAnalyser& analyse)
    : depth_(profile.model.depth), tokens_(profile.model.tokens) {
    if (depth_ < 1 || tokens_ < 1)
        throw FormatError("/model", "profile's model needs depth >= 1 and tokens >= 1");
    build_block_tables(profile, analyse);
    fit_context_correction(profile);

    // Default band: ±5% (round-to-round drift measured on shared CPUs), wider when the profile's
    // own points are noisier than that.
    std::vector<double> noise;
    for (const auto& c : profile.curves)
        for (const auto& p : c.points)
            if (p.rel_noise > 0) noise.push_back(p.rel_noise);
    double half = 0.05;
    if (!noise.empty()) half = std::max(half, 2.0 * median(std::move(noise)));
    default_band_.low_rel = -half;
    default_band_.high_rel = half;
    band_ = default_band_;
    relative_band_ = default_band_;
}

void LatencyPredictor::build_block_tables(const Profile& profile, const CurveAnalyser& analyse) {
    const int N = tokens_;
    auto make = [&](const Curve& c) { return Table{table_of(c, analyse, N), true, c.name}; };

    Scope fixed;
    fixed.kind = ScopeKind::Fixed;
    fixed.part = "embed";
    if (const Curve* c = usable(profile, fixed)) embed_ = make(*c);
    fixed.part = "head";
    if (const Curve* c = usable(profile, fixed)) head_ = make(*c);

    block_.resize(static_cast<std::size_t>(depth_));
    attn_.resize(block_.size());
    mlp_.resize(block_.size());
    for (int b = 0; b < depth_; ++b) {
        auto i = static_cast<std::size_t>(b);
        if (const Curve* c = usable(profile, block_scope(ScopeKind::Block, b))) block_[i] = make(*c);
        if (const Curve* c = usable(profile, block_scope(ScopeKind::Attention, b))) attn_[i] = make(*c);
        if (const Curve* c = usable(profile, block_scope(ScopeKind::Mlp, b))) mlp_[i] = make(*c);
    }

    // Whole blocks: own curve > own attention + MLP > nearest measured block (same shape) > model curve.
    std::vector<Table> measured_blocks = block_;
    for (int b = 0; b < depth_; ++b) {
        auto i = static_cast<std::size_t>(b);
        if (!block_[i].empty()) continue;
        if (!attn_[i].empty() && !mlp_[i].empty()) {
            Table t{attn_[i].ms, true, attn_[i].source + " + " + mlp_[i].source};
            for (std::size_t n = 0; n < t.ms.size(); ++n) t.ms[n] += mlp_[i].ms[n];
            block_[i] = t;
            continue;
        }
        int nearest = -1;
        for (int k = 0; k < depth_; ++k)
            if (!measured_blocks[static_cast<std::size_t>(k)].empty() && (nearest < 0 || std::abs(k - b) < std::abs(nearest - b)))
                nearest = k;
        if (nearest >= 0) {
            block_[i] = measured_blocks[static_cast<std::size_t>(nearest)];
            block_[i].measured = false;
            block_[i].source = "inferred from " + block_[i].source + " (same shape)";
            warnings_.push_back("block " + std::to_string(b) + " not profiled: " + block_[i].source);
        }
    }
    bool any_block = std::any_of(block_.begin(), block_.end(), [](const Table& t) { return !t.empty(); });
    if (!any_block) {
        const Curve* model = usable(profile, Scope{});
        if (!model)
            throw FormatError("profile", "no block, attention/MLP or whole-model curve to predict from");
        Table per_block{table_of(*model, analyse, N), false, "inferred: (model − fixed parts) / depth"};
        for (int t = 1; t <= N; ++t) {
            double fixed_part = (embed_.empty() ? 0 : embed_.at(N)) + (head_.empty() ? 0 : head_.at(t));
            per_block.ms[static_cast<std::size_t>(t)] =
                std::max(0.0, per_block.ms[static_cast<std::size_t>(t)] - fixed_part) / depth_;
        }
        std::fill(block_.begin(), block_.end(), per_block);
        warnings_.push_back("no block curves: every block inferred from the whole-model curve");
    }

    // Attention/MLP halves for pruning blocks: own curves > the block split like a measured block's
    // halves > the block split by FLOPs.
    int split_ref = -1;
    for (int k = 0; k < depth_; ++k)
        if (!attn_[static_cast<std::size_t>(k)].empty() && !mlp_[static_cast<std::size_t>(k)].empty()) {
            split_ref = k;
            break;
        }
    for (int b = 0; b < depth_; ++b) {
        auto i = static_cast<std::size_t>(b);
        if (!attn_[i].empty() && !mlp_[i].empty()) continue;
        Table a{block_[i].ms, false, ""}, m{block_[i].ms, false, ""};
        for (int t = 1; t <= N; ++t) {
            auto n = static_cast<std::size_t>(t);
            double share = flop_attention_share(profile.model, t);
            if (split_ref >= 0) {
                double ra = attn_[static_cast<std::size_t>(split_ref)].ms[n], rm = mlp_[static_cast<std::size_t>(split_ref)].ms[n];
                if (ra + rm > 0) share = ra / (ra + rm);
            }
            if (!attn_[i].empty()) a.ms[n] = attn_[i].ms[n], m.ms[n] = std::max(0.0, block_[i].ms[n] - attn_[i].ms[n]);
            else if (!mlp_[i].empty()) m.ms[n] = mlp_[i].ms[n], a.ms[n] = std::max(0.0, block_[i].ms[n] - mlp_[i].ms[n]);
            else a.ms[n] = block_[i].ms[n] * share, m.ms[n] = block_[i].ms[n] * (1 - share);
        }
        std::string how = split_ref >= 0 ? "split like attn:" + std::to_string(split_ref) + "/mlp:" + std::to_string(split_ref)
                                         : "split by FLOPs";
        a.source = attn_[i].empty() ? "inferred: block " + std::to_string(b) + " " + how : attn_[i].source;
        m.source = mlp_[i].empty() ? "inferred: block " + std::to_string(b) + " " + how : mlp_[i].source;
        a.measured = !attn_[i].empty();
        m.measured = !mlp_[i].empty();
        attn_[i] = a;
        mlp_[i] = m;
    }

    for (const auto& c : profile.curves) {
        if (c.scope.kind != ScopeKind::PruneOp || c.points.empty()) continue;
        PruneOpTable op{c.scope.block, c.scope.tokens_in, CurveLookup(c, analyse(c), N), c.name};
        prune_ops_[c.scope.method].push_back(std::move(op));
    }
    for (auto& [method, ops] : prune_ops_)
        std::sort(ops.begin(), ops.end(), [](const PruneOpTable& x, const PruneOpTable& y) {
            return std::tie(x.block, x.tokens_in) < std::tie(y.block, y.tokens_in);
        });
}

double LatencyPredictor::fixed_ms(int last_tokens) const {
    return (embed_.empty() ? 0.0 : embed_.at(tokens_)) + (head_.empty() ? 0.0 : head_.at(last_tokens));
}

LatencyPredictor::OpValue LatencyPredictor::prune_op(const std::string& method, int block, int tokens_in,
                                                     int tokens_out) const {
    auto it = prune_ops_.find(method);
    if (it == prune_ops_.end()) return {};
    // The block first: a method's op can cost differently by block (Zero-TPrune runs 30, 5 or 1
    // PageRank iterations by stage), so only curves of this block, or of the nearest profiled one.
    int nearest_block = it->second.front().block;
    for (const auto& op : it->second)
        if (std::abs(op.block - block) < std::abs(nearest_block - block)) nearest_block = op.block;
    const PruneOpTable *below = nullptr, *above = nullptr;  // nearest input lengths on each side
    for (const auto& op : it->second) {
        if (op.block != nearest_block) continue;
        if (op.tokens_in == tokens_in)
            return {op.lookup.at(tokens_out), nearest_block == block, &op, nullptr};
        if (op.tokens_in < tokens_in && (!below || op.tokens_in > below->tokens_in)) below = &op;
        if (op.tokens_in > tokens_in && (!above || op.tokens_in < above->tokens_in)) above = &op;
    }
    // Another input length, read at the same kept fraction.
    auto read = [&](const PruneOpTable& op) {
        int out = static_cast<int>(std::lround(double(tokens_out) * op.tokens_in / tokens_in));
        return op.lookup.at(std::max(1, out));
    };
    if (below && above) {  // between two measured input lengths: linear in the input length
        const double w = double(tokens_in - below->tokens_in) / double(above->tokens_in - below->tokens_in);
        return {read(*below) * (1 - w) + read(*above) * w, false, below, above};
    }
    // Outside the measured input lengths: scaled by the input length from the nearest, or, where a
    // second length shows how the cost moves with the input, along that line — an op on small
    // tensors is mostly fixed overhead and does not shrink in proportion. Kept between the two.
    const PruneOpTable* nearest = below ? below : above;
    const double from_nearest = read(*nearest);
    const double proportional = from_nearest * double(tokens_in) / double(nearest->tokens_in);
    const PruneOpTable* second = nullptr;
    for (const auto& op : it->second)
        if (op.block == nearest_block && &op != nearest &&
            (!second || std::abs(op.tokens_in - nearest->tokens_in) < std::abs(second->tokens_in - nearest->tokens_in)))
            second = &op;
    if (!second) return {proportional, false, nearest, nullptr};
    const double slope = (from_nearest - read(*second)) / double(nearest->tokens_in - second->tokens_in);
    const double along = from_nearest + slope * double(tokens_in - nearest->tokens_in);
    return {std::clamp(along, std::min(proportional, from_nearest), std::max(proportional, from_nearest)), false, nearest,
            second};
}

double LatencyPredictor::raw_blocks_ms(const std::vector<int>& tokens_after_block, const std::string& method,
                                       int input, double* ops_ms) const {
    double total = 0, ops = 0;
    int in = input;
    const std::size_t depth = std::min(tokens_after_block.size(), block_.size());
    for (std::size_t b = 0; b < depth; ++b) {
        const int out = tokens_after_block[b];
        double op = 0;
        total += block_raw_ms(static_cast<int>(b), in, out, method, &op);
        ops += op;
        in = std::min(in, out);
    }
    if (ops_ms) *ops_ms = ops;
    return total;
}

double LatencyPredictor::block_raw_ms(int block, int tokens_in, int tokens_out, const std::string& method,
                                      double* op_ms) const {
    const auto b = static_cast<std::size_t>(block);
    if (op_ms) *op_ms = 0;
    if (tokens_out >= tokens_in) return block_[b].at(tokens_in);
    double ms = attn_[b].at(tokens_in) + mlp_[b].at(tokens_out);
    if (method != "none") {
        const double op = prune_op(method, block, tokens_in, tokens_out).ms;
        ms += op;
        if (op_ms) *op_ms = op;
    }
    return ms;
}

double LatencyPredictor::relevelled_ms(double fixed, double blocks, double ops, const std::string& method) const {
    const double raw = fixed + blocks * (1.0 + context_scale_) + context_offset_ms_;
    if (!relevel_.active()) return raw;
    const double ops_share = ops * (1.0 + context_scale_);
    return relevel_.scale * (raw - ops_share) + relevel_.op_scale_for(method) * ops_share + relevel_.offset_ms;
}

double LatencyPredictor::total_ms_from_blocks(double blocks_ms, double ops_ms, int last_tokens, int cuts,
                                              const std::string& method) const {
    const double method_ms = corrections_.empty() ? 0.0 : method_correction_ms(method, cuts);
    return (relevelled_ms(fixed_ms(last_tokens), blocks_ms, ops_ms, method) + method_ms) * (1.0 + record_scale_);
}

int pruning_point_count(const std::vector<int>& tokens_after_block, int input_tokens) {
    int cuts = 0, in = input_tokens;
    for (int out : tokens_after_block) {
        cuts += out < in;
        in = std::min(in, out);
    }
    return cuts;
}

double LatencyPredictor::method_correction_ms(const std::string& method, int cuts) const {
    if (cuts == 0 || corrections_.empty()) return 0.0;
    auto it = corrections_.find(method);
    return it == corrections_.end() ? 0.0 : it->second.ms_per_cut * cuts;
}

double LatencyPredictor::predict_ms(const std::vector<int>& tokens_after_block, const std::string& method) const {
    double ops = 0;
    const double blocks = raw_blocks_ms(tokens_after_block, method, tokens_, &ops);
    const int last = tokens_after_block.empty() ? tokens_ : tokens_after_block.back();
    const int cuts = corrections_.empty() ? 0 : pruning_point_count(tokens_after_block, tokens_);
    return total_ms_from_blocks(blocks, ops, last, cuts, method);
}

double LatencyPredictor::unpruned_ms() const {
    return predict_ms(std::vector<int>(static_cast<std::size_t>(depth_), tokens_), "none");
}

void LatencyPredictor::fit_context_correction(const Profile& profile) {
    // Whole-model (every block at n) and deployed (full length through block K, n after it) curves
    // are end-to-end measurements of known schedules: regress (measured − sum of parts) on the
    // blocks' part to find what the parts miss (launch gaps, cache effects, framework overhead).
    std::vector<double> raw, gap;
    bool blocks_from_model = !block_.empty() && block_[0].source.rfind("inferred: (model", 0) == 0;
    for (const auto& c : profile.curves) {
        if (c.scope.kind == ScopeKind::Model && !blocks_from_model) {
            for (const auto& p : c.points)
                if (p.tokens <= tokens_) {
                    std::vector<int> tokens(static_cast<std::size_t>(depth_), p.tokens);
                    double blocks = raw_blocks_ms(tokens, "none", p.tokens);
                    raw.push_back(blocks);
                    gap.push_back(p.median_ms - blocks - fixed_ms(p.tokens));
                }
        } else if (c.scope.kind == ScopeKind::Deployed && c.scope.block >= 0 && c.scope.block < depth_) {
            // The profiler's deployed:K runs blocks 0..K whole at full length and slices to n before
            // block K+1, which then runs whole at n (no pruning block split, no op).
            for (const auto& p : c.points) {
                if (p.tokens > tokens_) continue;
                double blocks = 0;
                for (int b = 0; b < depth_; ++b) blocks += block_[static_cast<std::size_t>(b)].at(b <= c.scope.block ? tokens_ : p.tokens);
                raw.push_back(blocks);
                gap.push_back(p.median_ms - blocks - fixed_ms(c.scope.block + 1 < depth_ ? p.tokens : tokens_));
            }
        }
    }
    context_points_ = static_cast<int>(raw.size());
    if (raw.size() < 4) {
        if (raw.size() > 0) {  // too few to fit a slope: the mean gap as an offset
            double sum = 0;
            for (double g : gap) sum += g;
            context_offset_ms_ = sum / double(gap.size());
        }
        return;
    }
    double mx = 0, my = 0;
    for (std::size_t i = 0; i < raw.size(); ++i) mx += raw[i], my += gap[i];
    mx /= double(raw.size());
    my /= double(raw.size());
    double sxx = 0, sxy = 0;
    for (std::size_t i = 0; i < raw.size(); ++i) sxx += (raw[i] - mx) * (raw[i] - mx), sxy += (raw[i] - mx) * (gap[i] - my);
    double scale = sxx > 0 ? sxy / sxx : 0.0;
    scale = std::clamp(scale, -0.5, 0.5);
    context_scale_ = scale;
    context_offset_ms_ = my - scale * mx;
}

std::string LatencyPredictor::op_source(const OpValue& op, int block, int tokens_in) {
    if (!op.table) return "not profiled: assumed 0";
    if (op.measured) return op.table->name;
    const std::string where = op.table->block == block ? "" : ", measured at block " + std::to_string(op.table->block);
    if (op.table->tokens_in == tokens_in) return "inferred from " + op.table->name + " (the nearest profiled block)";
    if (!op.other) return "inferred from " + op.table->name + " (same kept fraction, scaled to the input length" + where + ")";
    return "inferred from " + op.table->name + " and " + op.other->name + " (same kept fraction, linear in the input length" + where + ")";
}

LatencyPrediction LatencyPredictor::breakdown(const std::vector<int>& tokens_after_block, const std::string& method) const {
    LatencyPrediction out;
    out.block_ms.assign(block_.size(), 0.0);
    const int last = tokens_after_block.empty() ? tokens_ : tokens_after_block.back();
    if (!embed_.empty()) out.terms.push_back({"embed", -1, tokens_, tokens_, embed_.at(tokens_), true, embed_.source});
    if (!head_.empty()) out.terms.push_back({"head", -1, last, last, head_.at(last), true, head_.source});

    int in = tokens_;
    double blocks_total = 0, ops_total = 0;
    bool op_missing = false;
    for (std::size_t b = 0; b < block_.size() && b < tokens_after_block.size(); ++b) {
        const int block = static_cast<int>(b);
        int out_tokens = tokens_after_block[b];
        if (out_tokens >= in) {
            const Table& t = block_[b];
            out.terms.push_back({"block", block, in, in, t.at(in), t.measured, t.source});
            out.block_ms[b] += t.at(in);
        } else {
            out.terms.push_back({"attn", block, in, in, attn_[b].at(in), attn_[b].measured, attn_[b].source});
            out.terms.push_back({"mlp", block, out_tokens, out_tokens, mlp_[b].at(out_tokens), mlp_[b].measured, mlp_[b].source});
            out.block_ms[b] += attn_[b].at(in) + mlp_[b].at(out_tokens);
            if (method != "none") {
                OpValue op = prune_op(method, block, in, out_tokens);
                std::string source = op_source(op, block, in);
                if (!op.table) op_missing = true;
                out.terms.push_back({"prune", block, in, out_tokens, op.ms, op.measured, source});
                out.block_ms[b] += op.ms;
                ops_total += op.ms;
            }
            in = out_tokens;
        }
        blocks_total += out.block_ms[b];
    }
    const double context = context_offset_ms_ + context_scale_ * blocks_total;
    if (context_points_ > 0 || context != 0)
        out.terms.push_back({"context", -1, 0, 0, context, false,
                             "fitted on " + std::to_string(context_points_) + " whole-model/deployed points: " +
                                 std::to_string(context_offset_ms_) + " ms + " + std::to_string(context_scale_ * 100) +
                                 "% of blocks"});
    // The editor's bars: each block carries its share of the proportional context term; the offset is
    // a whole-model cost and stays in its own term.
    for (double& v : out.block_ms) v *= 1.0 + context_scale_;
    const double raw = fixed_ms(last) + blocks_total * (1.0 + context_scale_) + context_offset_ms_;
    const double relevelled = relevelled_ms(fixed_ms(last), blocks_total, ops_total, method);
    if (relevel_.active()) {
        char how[160];
        std::snprintf(how, sizeof how, "blocks ×%.3f %+.4f ms, pruning op ×%.3f", relevel_.scale, relevel_.offset_ms,
                      relevel_.op_scale_for(method));
        out.terms.push_back({"relevel", -1, 0, 0, relevelled - raw, false,
                             "the profile re-levelled for " + relevel_.machine + ": " + how});
        if (raw > 0)
            for (double& v : out.block_ms) v *= relevelled / raw;
    }
    const int cuts = pruning_point_count(tokens_after_block, tokens_);
    const double method_ms = method_correction_ms(method, cuts);
    if (method_ms != 0) {
        const MethodCorrection& c = corrections_.at(method);
        out.terms.push_back({"method", -1, 0, 0, method_ms, false,
                             "fitted on " + std::to_string(c.samples) + " end-to-end measurements of " + method +
                                 " schedules: " + std::to_string(c.ms_per_cut) + " ms per pruning point"});
        // the pruning blocks carry it in the editor's bars
        int in = tokens_;
        for (std::size_t b = 0; b < out.block_ms.size() && b < tokens_after_block.size(); ++b) {
            if (tokens_after_block[b] < in) out.block_ms[b] += c.ms_per_cut;
            in = std::min(in, tokens_after_block[b]);
        }
    }
    out.latency_ms = relevelled + method_ms;
    if (record_scale_ != 0) {
        const double level = out.latency_ms * record_scale_;
        out.terms.push_back({"level", -1, 0, 0, level, false,
                             "this host's level in the calibration record against the profile's: " +
                                 std::to_string(record_scale_ * 100) + "%"});
        for (double& v : out.block_ms) v *= 1.0 + record_scale_;
        out.latency_ms += level;
    }
    out.low_ms = out.latency_ms * (1.0 + band_.low_rel);
    out.high_ms = out.latency_ms * (1.0 + band_.high_rel);
    if (op_missing) out.warnings.push_back("pruning op of '" + method + "' not profiled: its cost is assumed 0");
    return out;
}

LatencyPrediction LatencyPredictor::predict(const Schedule& schedule) const {
    if (schedule.depth() != depth_)
        throw FormatError("/tokens_after_block", "schedule has " + std::to_string(schedule.depth()) +
                                                     " blocks but the profile's model has " + std::to_string(depth_));
    if (schedule.input_tokens() != tokens_)
        throw FormatError("/model/tokens", "schedule's model has " + std::to_string(schedule.input_tokens()) +
                                               " tokens but the profile's model has " + std::to_string(tokens_));
    validate(schedule);
    LatencyPrediction p = breakdown(schedule.tokens_after_block, schedule.method);
    p.warnings.insert(p.warnings.begin(), warnings_.begin(), warnings_.end());
    p.unpruned_ms = unpruned_ms();
    if (p.unpruned_ms > 0) {
        const double ratio = p.latency_ms / p.unpruned_ms;
        p.relative = ratio - 1.0;
        p.relative_low = ratio * (1.0 + relative_band_.low_rel) - 1.0;
        p.relative_high = ratio * (1.0 + relative_band_.high_rel) - 1.0;
    }
    return p;
}

}  // namespace tp
