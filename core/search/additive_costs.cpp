#include "core/search/additive_costs.h"

#include <algorithm>
#include <cmath>

#include "core/model/method_rules.h"

namespace tp {

AdditiveCosts::AdditiveCosts(std::vector<const LatencyPredictor*> devices, const AccuracyModel& accuracy,
                             std::string method, const std::vector<int>& token_counts)
    : devices_(std::move(devices)), accuracy_(accuracy), thinning_(accuracy.top1_thinning()), method_(std::move(method)) {
    depth_ = accuracy_.depth();
    tokens_ = accuracy_.input_tokens();
    for (const auto* p : devices_) {
        // Whether the pruning ops weigh differently from the rest of the blocks in this predictor's
        // total (a profile re-levelled for another machine): then they are summed apart.
        first_slot_.push_back(dims_);
        const double with_ops = p->total_ms_from_blocks(1.0, 0.5, 1, 1, method_);
        const double without = p->total_ms_from_blocks(1.0, 0.0, 1, 1, method_);
        ops_apart_.push_back(with_ops != without);
        dims_ += ops_apart_.back() ? 2 : 1;
    }
    damage_slot_ = dims_;
    absorbing_ = thinning_.absorb < 1;
    scaled_slot_ = !absorbing_ && thinning_.beta > 0 && !thinning_.next;
    dims_ += scaled_slot_ || absorbing_ ? 2 : 1;
    const std::size_t nd = devices_.size(), stride = static_cast<std::size_t>(depth_) + 1;
    slot_.assign(static_cast<std::size_t>(tokens_) + 1, -1);
    int rows = 0;
    for (int t : token_counts)
        if (t >= 1 && t <= tokens_ && slot_[static_cast<std::size_t>(t)] < 0) slot_[static_cast<std::size_t>(t)] = rows++;
    whole_prefix_.assign(static_cast<std::size_t>(rows) * stride * nd, 0.0);
    damage_prefix_.assign(static_cast<std::size_t>(rows) * stride, 0.0);
    for (int t = 1; t <= tokens_; ++t) {
        const int s = slot_[static_cast<std::size_t>(t)];
        if (s < 0) continue;
        for (int b = 0; b < depth_; ++b) {
            const std::size_t row = static_cast<std::size_t>(s) * stride + static_cast<std::size_t>(b);
            damage_prefix_[row + 1] = damage_prefix_[row] + accuracy_.top1_block_damage(b, t);
            for (std::size_t d = 0; d < nd; ++d)
                whole_prefix_[(row + 1) * nd + d] = whole_prefix_[row * nd + d] + devices_[d]->block_raw_ms(b, t, t, method_);
        }
    }
    for (const auto* p : devices_) unpruned_ms_.push_back(p->unpruned_ms());
    floor_after_.assign(static_cast<std::size_t>(tokens_) + 1, 1);
    for (int n = 1; n <= tokens_; ++n) floor_after_[static_cast<std::size_t>(n)] = min_tokens_after_pruning(method_, n);
    consistent_ = check_consistency();
}

void AdditiveCosts::add_whole(int from, int to, int tokens, double* costs) const {
    if (to <= from) return;
    const std::size_t nd = devices_.size(), stride = static_cast<std::size_t>(depth_) + 1;
    const std::size_t base = static_cast<std::size_t>(slot_[static_cast<std::size_t>(tokens)]) * stride;
    const std::size_t a = base + static_cast<std::size_t>(from), b = base + static_cast<std::size_t>(to);
    for (std::size_t d = 0; d < nd; ++d) costs[first_slot_[d]] += whole_prefix_[b * nd + d] - whole_prefix_[a * nd + d];
}

double AdditiveCosts::block_damage_sum(int from, int to, int tokens) const {
    if (to <= from) return 0.0;
    const int s = slot_[static_cast<std::size_t>(tokens)];
    if (s >= 0) {
        const std::size_t base = static_cast<std::size_t>(s) * (static_cast<std::size_t>(depth_) + 1);
        return damage_prefix_[base + static_cast<std::size_t>(to)] - damage_prefix_[base + static_cast<std::size_t>(from)];
    }
    double sum = 0;  // a length outside the prefix tables (the consistency check's)
    for (int b = from; b < to; ++b) sum += accuracy_.top1_block_damage(b, tokens);
    return sum;
}

void AdditiveCosts::add_segment_damage(int from, int to, int tokens, int next_tokens, double* costs) const {
    to = std::min(to, depth_);
    if (absorbing_) {
        // A segment a thinning cut follows adds its share to the prefix sum; the final segment's
        // damage is in the largest prefix already (close_cut).
        if (to >= depth_ - 1) return;
        const int split = std::clamp(thinning_.first_block, from, std::max(from, to));
        costs[damage_slot_ + 1] += block_damage_sum(from, split, tokens) + thinning_.absorb * block_damage_sum(split, to, tokens);
        return;
    }
    if (thinning_.beta == 0) {
        costs[damage_slot_] += block_damage_sum(from, to, tokens);
        return;
    }
    // Blocks before first_block are charged in full; the rest are thinned (AccuracyModel's
    // thinning_weight). Only a cut at a block with an accuracy term (up to depth − 2) thins, so a
    // segment reaching depth − 1 is the one at the final count, charged in full.
    const int split = std::clamp(thinning_.first_block, from, std::max(from, to));
    costs[damage_slot_] += block_damage_sum(from, split, tokens);
    const double thinned = block_damage_sum(split, to, tokens);
    if (scaled_slot_)
        costs[damage_slot_ + 1] += thinned * std::pow(static_cast<double>(tokens), -thinning_.beta);
    else
        costs[damage_slot_] += to >= depth_ - 1 || next_tokens >= tokens || tokens <= 0
                                   ? thinned
                                   : thinned * std::pow(static_cast<double>(std::max(next_tokens, 0)) / tokens, thinning_.beta);
}

void AdditiveCosts::close_cut(double* costs, int block, int tokens_in, int tokens_out) const {
    if (block >= depth_ - 1) {
        settle(costs, tokens_in);  // a cut at the last block: what leaves depth − 2 is final now
        return;
    }
    if (absorbing_) {
        // the prefix ending at this cut: the shares so far plus the rest of the model at tokens_out
        const double prefix = costs[damage_slot_ + 1] + block_damage_sum(block, depth_, tokens_out);
        costs[damage_slot_] = std::max(costs[damage_slot_], prefix);
    }
}

void AdditiveCosts::settle(double* costs, int final_tokens) const {
    if (!scaled_slot_) return;
    costs[damage_slot_] += std::pow(static_cast<double>(std::max(final_tokens, 0)), thinning_.beta) * costs[damage_slot_ + 1];
    costs[damage_slot_ + 1] = 0;
}

void AdditiveCosts::add_cut(int block, int tokens_in, int tokens_out, double* costs) const {
    for (std::size_t d = 0; d < devices_.size(); ++d) {
        double op = 0;
        const double ms = devices_[d]->block_raw_ms(block, tokens_in, tokens_out, method_, &op);
        if (ops_apart_[d]) {
            costs[first_slot_[d]] += ms - op;
            costs[first_slot_[d] + 1] += op;
        } else {
            costs[first_slot_[d]] += ms;
        }
    }
}

double AdditiveCosts::total_ms(int device, const double* costs, int last_tokens, int cuts) const {
    const auto d = static_cast<std::size_t>(device);
    const double ops = ops_apart_[d] ? costs[first_slot_[d] + 1] : 0.0;
    return devices_[d]->total_ms_from_blocks(costs[first_slot_[d]] + ops, ops, last_tokens, cuts, method_);
}

double AdditiveCosts::device_fraction(int device, const double* costs) const {
    const auto d = static_cast<std::size_t>(device);
    const double ms = costs[first_slot_[d]] + (ops_apart_[d] ? costs[first_slot_[d] + 1] : 0.0);
    return unpruned_ms_[d] > 0 ? ms / unpruned_ms_[d] : ms;
}

bool AdditiveCosts::check_consistency() const {
    // A cut a third of the way down and one half way, with and without one more at the last block:
    // the sums built as a search builds them against the predictors' and the accuracy model's own answers.
    for (bool last_block_cut : {true, false}) {
        std::vector<int> tokens(static_cast<std::size_t>(depth_), tokens_);
        int in = tokens_;
        for (int b = 0; b < depth_; ++b) {
            if (b == depth_ / 3 || b == depth_ / 2 || (last_block_cut && b == depth_ - 1))
                in = std::max(floor_after(in), in - std::max(1, in / 4));
            tokens[static_cast<std::size_t>(b)] = in;
        }
        if (!reproduces(tokens)) return false;
    }
    return true;
}

bool AdditiveCosts::reproduces(const std::vector<int>& tokens) const {
    std::vector<double> costs(static_cast<std::size_t>(dims_), 0.0);
    int in = tokens_, cuts = 0, segment = 0;
    for (int b = 0; b < depth_; ++b) {
        const int out = tokens[static_cast<std::size_t>(b)];
        if (out < in) {
            add_cut(b, in, out, costs.data());
            add_segment_damage(segment, b, in, out, costs.data());
            close_cut(costs.data(), b, in, out);
            segment = b;
            ++cuts;
        } else {
            // whole blocks at a length outside the prefix tables: added one by one
            for (std::size_t d = 0; d < devices_.size(); ++d) costs[first_slot_[d]] += devices_[d]->block_raw_ms(b, in, in, method_);
        }
        in = out;
    }
    add_segment_damage(segment, depth_, in, 0, costs.data());
    settle(costs.data(), in);  // settled already where the last cut is at the last block
    auto near = [](double a, double b) { return std::fabs(a - b) <= 1e-9 * std::max(1.0, std::fabs(b)); };
    for (std::size_t d = 0; d < devices_.size(); ++d)
        if (!near(total_ms(static_cast<int>(d), costs.data(), in, cuts), devices_[d]->predict_ms(tokens, method_)))
            return false;
    return near(top1(costs.data(), cuts), accuracy_.predict_top1(tokens));
}

}  // namespace tp
