#include "core/search/schedule_search.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <iterator>
#include <limits>

#include "core/model/method_rules.h"
#include "core/search/additive_costs.h"
#include "core/search/pareto.h"
#include "core/search/schedule_families.h"
#include "core/search/search_entry.h"
#include "core/search/search_space.h"
#include "core/util/format_error.h"

namespace tp {
namespace {

constexpr int kMaxPoints = 3;
constexpr int kMaxDevices = 31;
constexpr int kMaxDims = 2 * kMaxDevices + 2;  // a cost vector: two sums per device at most, and the damage (two entries at most)
constexpr std::size_t kCloudPoints = 4000;
constexpr std::size_t kCompactAt = 1 << 16;  // records kept before they are reduced to their front

using Cuts = std::array<PruningPoint, kMaxPoints>;

// A complete schedule evaluated on the additive path: the cuts family, or a family schedule.
struct Record {
    double latency = 0;
    double top1 = 0;
    int method = 0;
    int family = -1;  // index into the family schedules, -1: cuts
    int cuts = 0;
    Cuts points{};
};

// What all methods' searches add to: the records on their way to the front, and the cloud.
class Collector {
public:
    explicit Collector(long long cloud_stride) : stride_(std::max(1LL, cloud_stride)) {}
    void add(const Record& r) {
        ++evaluated_;
        if (evaluated_ % stride_ == 0 && cloud_.size() < kCloudPoints) cloud_.push_back({r.latency, r.top1, r.method});
        if (beaten(r)) return;  // by the front of the records compacted so far: it can never join the front
        records_.push_back(r);
        if (records_.size() >= kCompactAt) compact();
    }
    // Keeps only the records on the front so far: the front of the union is the front of the fronts.
    void compact() {
        std::vector<FrontPoint> points;
        points.reserve(records_.size());
        for (std::size_t i = 0; i < records_.size(); ++i) points.push_back({records_[i].latency, records_[i].top1, i});
        std::vector<Record> kept;
        front_.clear();
        for (std::size_t i : pareto_front(points)) {
            kept.push_back(records_[i]);
            front_.push_back({records_[i].latency, records_[i].top1, 0});
        }
        records_.clear();  // keeps its capacity
        records_.insert(records_.end(), kept.begin(), kept.end());
    }
    const std::vector<Record>& records() const { return records_; }
    long long evaluated() const { return evaluated_; }
    std::vector<CloudPoint>& cloud() { return cloud_; }

private:
    // front_ is ordered by latency with top-1 rising: the point of largest latency at or below r's decides.
    bool beaten(const Record& r) const {
        auto it = std::upper_bound(front_.begin(), front_.end(), r.latency,
                                   [](double latency, const FrontPoint& p) { return latency < p.latency; });
        return it != front_.begin() && std::prev(it)->top1 >= r.top1;
    }

    long long stride_;
    std::vector<FrontPoint> front_;
    long long evaluated_ = 0;
    std::vector<Record> records_;
    std::vector<CloudPoint> cloud_;
};

// One method's search over the cut candidates.
class MethodSearch {
public:
    MethodSearch(const SearchSpace& space, const AdditiveCosts& costs, const std::vector<const LatencyPredictor*>& predictors,
                 const AccuracyModel& accuracy, const SearchSettings& settings, int method_index, Collector& out)
        : space_(space), costs_(costs), predictors_(predictors), accuracy_(accuracy), settings_(settings),
          method_(method_index), out_(out),
          dims_(costs.dims()) {}

    void enumerate() {
        std::vector<double> start(static_cast<std::size_t>(dims_), 0.0);
        Cuts points{};
        enumerate_from(0, -1, space_.input_tokens, start.data(), points);
    }

    // Dynamic programming over the cuts with a Pareto set per state; false when a state overflowed the beam.
    bool dynamic_programming() {
        const int depth = space_.depth, nd = costs_.device_count();
        std::vector<std::size_t> offset(static_cast<std::size_t>(depth) + 1, 0);
        for (int b = 0; b < depth; ++b) offset[b + 1] = offset[b] + space_.per_block[static_cast<std::size_t>(b)].size();
        const std::size_t states = offset.back();
        bool exact = true;
        std::vector<ParetoSet> level(states, ParetoSet(dims_));
        std::vector<Cuts> arena;
        std::vector<double> c(static_cast<std::size_t>(dims_));
        const int n = space_.input_tokens;
        for (int b = 0; b < depth; ++b) {
            const auto& cands = space_.per_block[static_cast<std::size_t>(b)];
            for (std::size_t i = 0; i < cands.size(); ++i) {
                const int t = cands[i].tokens;
                if (t < costs_.floor_after(n)) continue;
                std::fill(c.begin(), c.end(), 0.0);
                costs_.add_whole(0, b, n, c.data());
                costs_.add_cut(b, n, t, c.data());
                costs_.add_segment_damage(0, b, n, t, c.data());
                costs_.close_cut(c.data(), b, n, t);
                Cuts p{};
                p[0] = {b, t};
                arena.push_back(p);
                level[offset[b] + i].insert(c.data(), arena.size() - 1);
            }
        }
        // Ranks partials of an overflowing state: the worst device's share of its unpruned time so far.
        std::vector<double> proxies;
        const auto truncate = [this, nd, &proxies](ParetoSet& set, std::size_t limit) {
            if (set.size() <= limit) return false;
            proxies.resize(set.size());
            for (std::size_t k = 0; k < set.size(); ++k) {
                double worst = 0;
                for (int d = 0; d < nd; ++d) worst = std::max(worst, costs_.device_fraction(d, set.costs(k)));
                proxies[k] = worst;
            }
            return set.truncate(limit, proxies);
        };
        std::vector<double> seg(static_cast<std::size_t>(dims_)), cut(static_cast<std::size_t>(dims_));
        for (int cuts = 1;; ++cuts) {
            for (int b = 0; b < depth; ++b)
                for (std::size_t i = 0; i < space_.per_block[static_cast<std::size_t>(b)].size(); ++i) {
                    const ParetoSet& set = level[offset[b] + i];
                    for (std::size_t k = 0; k < set.size(); ++k)
                        finish(set.costs(k), b, space_.per_block[b][i].tokens, cuts, arena[set.payload(k)]);
                }
            if (cuts == settings_.max_points) break;
            // The last cut's partials are complete schedules: evaluated at once, never kept.
            const bool last = cuts + 1 == settings_.max_points;
            std::vector<ParetoSet> next(last ? 0 : states, ParetoSet(dims_));
            std::vector<Cuts> next_arena;
            const std::size_t limit = static_cast<std::size_t>(std::max(1, settings_.beam_width));
            for (int b = 0; b < depth; ++b)
                for (std::size_t i = 0; i < space_.per_block[static_cast<std::size_t>(b)].size(); ++i) {
                    const ParetoSet& source = level[offset[b] + i];
                    if (source.size() == 0) continue;
                    const int t = space_.per_block[b][i].tokens;
                    for (int b2 = b + 1; b2 < depth; ++b2) {
                        std::fill(seg.begin(), seg.end(), 0.0);
                        costs_.add_whole(b + 1, b2, t, seg.data());
                        const auto& cands = space_.per_block[static_cast<std::size_t>(b2)];
                        for (std::size_t i2 = 0; i2 < cands.size(); ++i2) {
                            const int t2 = cands[i2].tokens;
                            if (t2 >= t) continue;
                            if (t2 < costs_.floor_after(t)) break;  // descending: no later one qualifies
                            cut = seg;
                            costs_.add_cut(b2, t, t2, cut.data());
                            costs_.add_segment_damage(b, b2, t, t2, cut.data());
                            for (std::size_t k = 0; k < source.size(); ++k) {
                                const double* s = source.costs(k);
                                for (int d = 0; d < dims_; ++d) c[d] = s[d] + cut[d];
                                costs_.close_cut(c.data(), b2, t, t2);  // on the whole vector: not a sum
                                if (last) {
                                    Cuts p = arena[source.payload(k)];
                                    p[static_cast<std::size_t>(cuts)] = {b2, t2};
                                    finish(c.data(), b2, t2, cuts + 1, p);
                                    continue;
                                }
                                ParetoSet& target = next[offset[b2] + i2];
                                if (!target.insert(c.data(), next_arena.size())) continue;
                                Cuts p = arena[source.payload(k)];
                                p[static_cast<std::size_t>(cuts)] = {b2, t2};
                                next_arena.push_back(p);
                                if (target.size() > 2 * limit && truncate(target, limit)) exact = false;
                            }
                        }
                    }
                }
            if (last) break;
            for (ParetoSet& set : next)
                if (truncate(set, limit)) exact = false;
            level = std::move(next);
            arena = std::move(next_arena);
        }
        return exact;
    }

private:
    // `costs`: the latency through the last cut (at prev_block, -1: none yet), the damage of every
    // segment before the one that cut leaves (AdditiveCosts::add_segment_damage).
    void enumerate_from(int cuts, int prev_block, int prev_tokens, const double* costs, Cuts& points) {
        std::vector<double> seg(costs, costs + dims_), v(static_cast<std::size_t>(dims_));
        for (int b = prev_block + 1; b < space_.depth; ++b) {
            // seg: the costs through block b - 1, the blocks after the last cut running whole
            if (b > prev_block + 1) costs_.add_whole(b - 1, b, prev_tokens, seg.data());
            for (const CutCandidate& cand : space_.per_block[static_cast<std::size_t>(b)]) {
                if (cand.tokens >= prev_tokens) continue;
                if (cand.tokens < costs_.floor_after(prev_tokens)) break;
                v = seg;
                costs_.add_cut(b, prev_tokens, cand.tokens, v.data());
                costs_.add_segment_damage(std::max(prev_block, 0), b, prev_tokens, cand.tokens, v.data());
                costs_.close_cut(v.data(), b, prev_tokens, cand.tokens);
                points[static_cast<std::size_t>(cuts)] = {b, cand.tokens};
                finish(v.data(), b, cand.tokens, cuts + 1, points);
                if (cuts + 1 < settings_.max_points) enumerate_from(cuts + 1, b, cand.tokens, v.data(), points);
            }
        }
    }

    // The complete schedule: blocks after the last cut at its tokens.
    void finish(const double* costs, int last_block, int tokens, int cuts, const Cuts& points) {
        const int nd = costs_.device_count();
        double sums[kMaxDims];
        std::copy(costs, costs + dims_, sums);
        costs_.add_whole(last_block + 1, space_.depth, tokens, sums);
        costs_.add_segment_damage(last_block, space_.depth, tokens, 0, sums);
        costs_.settle(sums, tokens);  // settled already where the last cut is at the last block
        Record r;
        r.latency = -std::numeric_limits<double>::infinity();
        std::vector<int> schedule;
        if (!costs_.consistent()) {
            // The predictor no longer adds up as the sums assume: its own answer for the values.
            schedule = tokens_from_points(space_.depth, space_.input_tokens,
                                          std::vector<PruningPoint>(points.begin(), points.begin() + cuts));
        }
        for (int d = 0; d < nd; ++d) {
            if (settings_.device >= 0 && d != settings_.device) continue;
            const double ms = costs_.consistent() ? costs_.total_ms(d, sums, tokens, cuts)
                                                  : predictors_[static_cast<std::size_t>(d)]->predict_ms(schedule, costs_.method());
            r.latency = std::max(r.latency, settings_.latency_in_ms ? ms : 100.0 * ms / costs_.unpruned_ms(d));
        }
        r.top1 = costs_.consistent() ? costs_.top1(sums, cuts) : accuracy_.predict_top1(schedule);
        r.method = method_;
        r.cuts = cuts;
        r.points = points;
        for (int k = cuts; k < kMaxPoints; ++k) r.points[static_cast<std::size_t>(k)] = {};
        out_.add(r);
    }

    const SearchSpace& space_;
    const AdditiveCosts& costs_;
    const std::vector<const LatencyPredictor*>& predictors_;
    const AccuracyModel& accuracy_;
    const SearchSettings& settings_;
    int method_;
    Collector& out_;
    int dims_;
};

void check_inputs(const SearchInputs& in, const SearchSettings& s, const std::vector<std::string>& methods) {
    if (in.devices.empty()) throw FormatError("/profiles", "no profile to search on");
    if (in.devices.size() > std::size_t(kMaxDevices))
        throw FormatError("/profiles", "at most " + std::to_string(kMaxDevices) + " profiles can be searched at once");
    const ModelInfo& m = in.devices.front()->profile().model;
    const auto names = device_names(in.devices);
    for (std::size_t d = 0; d < in.devices.size(); ++d) {
        const ProfileAnalysis& a = *in.devices[d];
        if (!a.predictor()) std::rethrow_exception(a.predictor_failure());
        const ModelInfo& o = a.profile().model;
        if (o.name != m.name || o.depth != m.depth || o.tokens != m.tokens)
            throw FormatError("/profiles/" + std::to_string(d),
                              "profile of " + names[d] + " is for model '" + o.name + "' (" + std::to_string(o.depth) +
                                  " blocks, " + std::to_string(o.tokens) + " tokens) but the first profile's is '" +
                                  m.name + "' (" + std::to_string(m.depth) + " blocks, " + std::to_string(m.tokens) +
                                  " tokens): search one model at a time");
    }
    if (s.max_points < 1 || s.max_points > kMaxPoints)
        throw FormatError("/max_points", "schedules of 1 to 3 pruning points are searched, not " + std::to_string(s.max_points));
    if (s.device >= static_cast<int>(in.devices.size()))
        throw FormatError("/device", "device " + std::to_string(s.device) + " is not among the " +
                                         std::to_string(in.devices.size()) + " profiles");
    if (methods.empty()) throw FormatError("/methods", "no method to search: give an accuracy model of at least one");
    for (const auto& method : methods) {
        if (!is_known_method(method) || method == "none") throw FormatError("/methods", "unknown method '" + method + "'");
        auto it = in.accuracy.find(method);
        if (it == in.accuracy.end() || !it->second)
            throw FormatError("/methods", "no accuracy model of method '" + method + "': its accuracy calibration has no evaluations of it");
        if (it->second->depth() != m.depth || it->second->input_tokens() != m.tokens)
            throw FormatError("/accuracy", "the accuracy model of '" + method + "' is for a model with " +
                                               std::to_string(it->second->depth()) + " blocks and " +
                                               std::to_string(it->second->input_tokens()) + " tokens, the profiles' '" +
                                               m.name + "' has " + std::to_string(m.depth) + " and " +
                                               std::to_string(m.tokens));
    }
}

std::string thousands(long long v) {
    std::string s = std::to_string(v);
    for (int i = static_cast<int>(s.size()) - 3; i > 0; i -= 3) s.insert(static_cast<std::size_t>(i), ",");
    return s;
}

}  // namespace

SearchResult search_schedules(const SearchInputs& in, const SearchSettings& settings) {
    std::vector<std::string> methods = settings.methods;
    if (methods.empty())
        for (const auto& [method, model] : in.accuracy)
            if (method != "none" && model) methods.push_back(method);
    check_inputs(in, settings, methods);

    SearchResult result;
    result.methods = methods;
    result.device_names = device_names(in.devices);
    result.latency_in_ms = settings.latency_in_ms;
    const ModelInfo& model = in.devices.front()->profile().model;
    const SearchSpace space = build_search_space(in.devices);
    std::vector<int> counts{model.tokens};
    for (const auto& block : space.per_block)
        for (const auto& c : block) counts.push_back(c.tokens);
    std::vector<const LatencyPredictor*> predictors;
    for (const auto* a : in.devices) predictors.push_back(a->predictor());

    std::vector<long long> spaces;
    for (const auto& method : methods) spaces.push_back(count_schedules(space, method, settings.max_points));
    for (long long n : spaces) result.space += n;

    // The families' schedules, evaluated through the public predictions.
    std::vector<FamilySchedule> family;
    if (settings.families)
        for (const auto& method : methods)
            for (auto& f : family_schedules(method, model)) family.push_back(std::move(f));
    Collector out((result.space + static_cast<long long>(family.size())) / static_cast<long long>(kCloudPoints) + 1);

    for (std::size_t m = 0; m < methods.size(); ++m) {
        const AccuracyModel& accuracy = *in.accuracy.at(methods[m]);
        const AdditiveCosts costs(predictors, accuracy, methods[m], counts);
        MethodSearch search(space, costs, predictors, accuracy, settings, static_cast<int>(m), out);
        if (!costs.consistent()) result.exact = false;
        if (!costs.consistent())
            result.notes.push_back(methods[m] + ": the predictors' totals are not the sums of their blocks; every "
                                                "schedule was predicted in full and the pruning of partial schedules is approximate");
        const long long before = out.evaluated();
        if (spaces[m] <= settings.exact_limit) {
            search.enumerate();
            result.strategies.push_back(methods[m] + ": enumeration of all " + thousands(spaces[m]) + " schedules");
        } else {
            const bool exact = search.dynamic_programming();
            result.exact = result.exact && exact;
            result.strategies.push_back(methods[m] + ": dynamic programming over " + thousands(spaces[m]) +
                                        " schedules, " + thousands(out.evaluated() - before) + " completed" +
                                        (exact ? " (no state overflowed: exact)"
                                               : " (some states held more than " + std::to_string(settings.beam_width) +
                                                     " unbeaten partial schedules: approximate)"));
        }
        for (std::size_t f = 0; f < family.size(); ++f) {
            if (family[f].schedule.method != methods[m]) continue;
            const auto& tokens = family[f].schedule.tokens_after_block;
            Record r;
            r.latency = -std::numeric_limits<double>::infinity();
            for (std::size_t d = 0; d < predictors.size(); ++d) {
                if (settings.device >= 0 && static_cast<int>(d) != settings.device) continue;
                const double ms = predictors[d]->predict_ms(tokens, methods[m]);
                r.latency = std::max(r.latency, settings.latency_in_ms ? ms : 100.0 * ms / predictors[d]->unpruned_ms());
            }
            r.top1 = accuracy.predict_top1(tokens);
            r.method = static_cast<int>(m);
            r.family = static_cast<int>(f);
            out.add(r);
        }
    }
    out.compact();
    result.evaluated = out.evaluated();
    result.cloud = std::move(out.cloud());

    const AccuracyModel& any = *in.accuracy.at(methods.front());
    result.unpruned = evaluate_entry(unpruned_schedule(model), in.devices, result.device_names, any, settings.device,
                                     settings.latency_in_ms);
    result.unpruned.family = "unpruned";
    const FrontPoint reference{objective_latency(result.unpruned, settings.latency_in_ms), any.predict_top1(result.unpruned.schedule.tokens_after_block), 0};
    std::vector<FrontPoint> points;
    const auto& records = out.records();
    for (std::size_t i = 0; i < records.size(); ++i) points.push_back({records[i].latency, records[i].top1, i});
    for (std::size_t i : pareto_front(points, &reference)) {
        const Record& r = records[i];
        const std::string& method = methods[static_cast<std::size_t>(r.method)];
        SearchEntry e;
        if (r.family >= 0) {
            const FamilySchedule& f = family[static_cast<std::size_t>(r.family)];
            e = evaluate_entry(f.schedule, in.devices, result.device_names, *in.accuracy.at(method), settings.device,
                               settings.latency_in_ms);
            e.family = f.family;
        } else {
            const std::vector<PruningPoint> cuts(r.points.begin(), r.points.begin() + r.cuts);
            e = evaluate_entry(schedule_with_cuts(model, method, cuts), in.devices, result.device_names,
                               *in.accuracy.at(method), settings.device, settings.latency_in_ms);
            e.family = "cuts";
            for (const auto& p : cuts) {
                const CutCandidate* c = space.find(p.block, p.tokens);
                e.targets.push_back({p.block, p.tokens, c ? c->findings : std::vector<std::string>{}});
            }
        }
        e.schedule.notes = "found by the schedule search (" + e.family + ")";
        result.front.push_back(std::move(e));
    }
    return result;
}

}  // namespace tp
