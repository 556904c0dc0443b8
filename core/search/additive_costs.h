#pragma once
// One method's predicted latency (on each device) and top-1 of a schedule as sums over its blocks,
// so that a search can build schedules up cut by cut: the predictor's and the accuracy model's own
// additive parts (LatencyPredictor::block_raw_ms, AccuracyModel::top1_block_damage), with the
// blocks' sums at each visited token count read from prefix tables.
//
// A partial schedule is a vector of costs, lower is better in each: per device its blocks'
// milliseconds (and, for a device re-levelled for another machine, its pruning ops' apart, which
// scale differently there), then the accuracy damage. Any completion of a partial that is no
// costlier everywhere than another is no slower on any device and no less accurate.
//
// The damage is charged by *segment*: the blocks a cut leaves at its count, up to the next cut.
// With thinning (AccuracyModel::ThinningRule, β > 0) a segment's damage is weighed by what a later
// cut keeps of it, so a partial's cost holds every segment but its last, which is charged when the
// next cut (or the end) is chosen: against the next cut's count, the weight is then known; against
// the final count F, the segment is charged t^-β of its damage in a second entry, settled (times
// F^β) into the first once F is known. With absorption (ρ, core/accuracy/absorption.h) the second
// entry is the sum of the shares charged so far and the first the largest prefix damage so far:
// each cut closes a prefix, max(first, second + the rest of the model at the cut's count). Either way two partials at the same cut compare exactly:
// whatever follows adds the same to both and scales the second entry alike.
#include <string>
#include <vector>

#include "core/accuracy/accuracy_model.h"
#include "core/predict/latency_predictor.h"

namespace tp {

class AdditiveCosts {
public:
    // `token_counts`: the lengths blocks may run whole at (the candidates and the input length).
    AdditiveCosts(std::vector<const LatencyPredictor*> devices, const AccuracyModel& accuracy, std::string method,
                  const std::vector<int>& token_counts);

    int device_count() const { return static_cast<int>(devices_.size()); }
    int dims() const { return dims_; }  // length of a cost vector; the damage is in its last one or two entries
    int depth() const { return depth_; }
    int input_tokens() const { return tokens_; }
    const std::string& method() const { return method_; }
    // The fewest tokens the method can keep after a cut from `tokens_in` (method_rules.h).
    int floor_after(int tokens_in) const { return floor_after_[static_cast<std::size_t>(tokens_in)]; }

    // Latency of blocks [from, to) running whole at `tokens` (one of token_counts).
    void add_whole(int from, int to, int tokens, double* costs) const;
    // Latency of a pruning block: attention at tokens_in, MLP at tokens_out, the method's op.
    void add_cut(int block, int tokens_in, int tokens_out, double* costs) const;
    // Damage of a segment: blocks [from, to) leaving `tokens`, `to` being the next cut's block
    // (leaving `next_tokens`) or the depth (the last segment, next_tokens unused). The first
    // segment starts at block 0 at the input length; a cut at the last block thins nothing.
    void add_segment_damage(int from, int to, int tokens, int next_tokens, double* costs) const;
    // After a cut is added (its latency and the damage of the segment before it), on the partial's
    // whole cost vector: closes the absorption prefix it ends, or settles a thinning against the
    // final count at a cut at the last block.
    void close_cut(double* costs, int block, int tokens_in, int tokens_out) const;
    // Settles a partial's whole cost vector once its final count is known (what leaves block
    // depth − 2): at a cut at the last block (its tokens_in, close_cut), else at the end (the last
    // tokens). Nothing to do unless the damage is thinned against the final count.
    void settle(double* costs, int final_tokens) const;

    // The complete schedule's values from its costs (`last_tokens` leave the last block), settled.
    double total_ms(int device, const double* costs, int last_tokens, int cuts) const;
    double unpruned_ms(int device) const { return unpruned_ms_[static_cast<std::size_t>(device)]; }
    double top1(const double* costs, int cuts) const { return accuracy_.top1_from_damage(costs[damage_slot_], cuts); }
    // A device's share of a cost vector relative to its unpruned time (for ranking partials).
    double device_fraction(int device, const double* costs) const;

    // Whether these sums reproduce predict_ms and predict_top1 (checked on a few schedules when
    // built): a predictor whose total is not additive any more would make the search approximate.
    bool consistent() const { return consistent_; }

private:
    bool check_consistency() const;
    bool reproduces(const std::vector<int>& tokens) const;
    double block_damage_sum(int from, int to, int tokens) const;  // Σ top1_block_damage over [from, to)

    std::vector<const LatencyPredictor*> devices_;
    const AccuracyModel& accuracy_;
    AccuracyModel::ThinningRule thinning_;
    std::string method_;
    int depth_ = 0, tokens_ = 0, dims_ = 0;
    int damage_slot_ = 0;                // the damage charged; with a final-count reference, the
    bool scaled_slot_ = false;           // next entry holds Σ t^-β·damage until settled
    bool absorbing_ = false;             // the first entry is the largest prefix, the next the shares so far
    std::vector<int> first_slot_;        // per device: its first entry in a cost vector
    std::vector<bool> ops_apart_;        // per device: its ops in an entry of their own
    std::vector<int> slot_;              // token count -> row of the prefix tables (-1: not a visited count)
    std::vector<double> whole_prefix_;   // [row][block 0..depth][device]: Σ of blocks < block at the row's count
    std::vector<double> damage_prefix_;  // [row][block 0..depth]
    std::vector<double> unpruned_ms_;
    std::vector<int> floor_after_;
    bool consistent_ = true;
};

}  // namespace tp
