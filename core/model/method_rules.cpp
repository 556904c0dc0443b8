#include "core/model/method_rules.h"

#include <algorithm>
#include <cmath>

#include "core/util/format_error.h"

namespace tp {
namespace {

const std::map<std::string, std::vector<MethodParameter>>& parameter_table() {
    static const std::map<std::string, std::vector<MethodParameter>> table = {
        {"none", {}},
        {"topk", {}},
        // alpha: POMT's latency/accuracy utility weight used when the schedule was chosen; recorded
        // with the schedule, it does not change the reduction itself.
        {"pomt", {{"alpha", 0.5, 0, 1, false, "utility weight of latency vs accuracy the schedule was chosen with (recorded only)"}}},
        {"pomt_nomerge", {{"alpha", 0.5, 0, 1, false, "utility weight of latency vs accuracy the schedule was chosen with (recorded only)"}}},
        {"random",
         {{"seed", 0, 0, 2147483647, true, "seed of the host-side generator that draws the kept patch positions"}}},
        {"tome",
         {{"proportional_attention", 1, 0, 1, true,
           "1: later blocks add log(token size) to their attention logits (ToMe's default for supervised ViTs)"}}},
        {"zerotprune",
         {{"iterations_early", 30, 1, 200, true, "weighted-PageRank iterations in the early blocks"},
          {"iterations_middle", 5, 1, 200, true, "iterations in the middle blocks"},
          {"iterations_late", 1, 1, 200, true, "iterations in the late blocks"},
          {"early_fraction", 0.25, 0, 1, false, "share of the depth counted as early blocks (from the input)"},
          {"late_fraction", 0.25, 0, 1, false, "share of the depth counted as late blocks (from the output)"},
          {"variance_min", 0.01, 0, 1e6, false, "heads whose mean-1 score variance is below this are ignored"},
          {"variance_max", 0.7, 0, 1e6, false, "heads whose mean-1 score variance is above this are ignored"},
          {"similarity_share", 0.5, 0, 1, false,
           "share of a block's removed tokens chosen by the similarity stage S (capped by the less important half); "
           "the importance stage I removes the rest"},
          {"renormalize", 1, 0, 1, true, "1: renormalise attention rows over the survivors of S before stage I"},
          {"cls_boost", 1, 0, 1, true, "1: CLS starts PageRank with sqrt(N) times the mass of a patch token"},
          {"concat_keys", 0, 0, 1, true, "S-stage similarity on 0: head-averaged keys, 1: keys of all heads concatenated"}}},
    };
    return table;
}

std::string format_number(double v) {
    if (std::floor(v) == v && std::fabs(v) < 1e15) return std::to_string(static_cast<long long>(v));
    std::string s = std::to_string(v);
    while (!s.empty() && s.back() == '0') s.pop_back();
    return s;
}

// The largest length entering a block from which `method` can still reach `tokens_out`.
int max_tokens_in_for(const std::string& method, int tokens_out, int upper) {
    int t = upper;
    while (t > tokens_out && min_tokens_after_pruning(method, t) > tokens_out) --t;
    return t;
}

}  // namespace

const std::vector<MethodParameter>& method_parameters(const std::string& method) {
    const auto& table = parameter_table();
    auto it = table.find(method);
    if (it == table.end()) throw FormatError("/method", "unknown method '" + method + "'");
    return it->second;
}

std::map<std::string, double> resolve_method_parameters(const std::string& method,
                                                        const std::map<std::string, double>& given) {
    const auto& specs = method_parameters(method);
    for (const auto& [name, value] : given) {
        // (a structured binding is captured by name only from C++20; clang 14 refuses it in C++17)
        auto spec = std::find_if(specs.begin(), specs.end(), [&, key = name](const auto& p) { return p.name == key; });
        const std::string at = "/parameters/" + name;
        if (spec == specs.end()) {
            std::string known;
            for (const auto& p : specs) known += (known.empty() ? "" : ", ") + p.name;
            throw FormatError(at, "method " + method + " has no parameter '" + name + "'" +
                                      (known.empty() ? " (it takes none)" : " (it takes " + known + ")"));
        }
        if (!std::isfinite(value) || value < spec->min || value > spec->max)
            throw FormatError(at, name + " = " + format_number(value) + " is outside " + format_number(spec->min) +
                                      ".." + format_number(spec->max));
        if (spec->integer && std::floor(value) != value)
            throw FormatError(at, name + " = " + format_number(value) + " must be a whole number");
    }
    std::map<std::string, double> resolved;
    for (const auto& p : specs) {
        auto it = given.find(p.name);
        resolved[p.name] = it == given.end() ? p.default_value : it->second;
    }
    if (method == "zerotprune" && resolved["variance_min"] > resolved["variance_max"])
        throw FormatError("/parameters/variance_min", "variance_min " + format_number(resolved["variance_min"]) +
                                                          " exceeds variance_max " +
                                                          format_number(resolved["variance_max"]));
    if (method == "zerotprune" && resolved["early_fraction"] + resolved["late_fraction"] > 1)
        throw FormatError("/parameters/early_fraction", "early_fraction + late_fraction must not exceed 1");
    return resolved;
}

int min_tokens_after_pruning(const std::string& method, int tokens_in) {
    method_parameters(method);  // rejects unknown methods
    if (method == "none") return tokens_in;
    if (method == "pomt") return 2;                          // CLS + the merged token
    if (method == "tome") return tokens_in - (tokens_in - 1) / 2;  // merges at most half the non-CLS tokens
    return 1;                                                // CLS alone
}

void validate_method_tokens(const std::string& method, int input_tokens, const std::vector<int>& tokens_after_block) {
    method_parameters(method);
    int tokens_in = input_tokens;
    for (std::size_t b = 0; b < tokens_after_block.size(); ++b) {
        const int out = tokens_after_block[b];
        const std::string at = "/tokens_after_block/" + std::to_string(b);
        const std::string block = "block " + std::to_string(b);
        if (out < tokens_in) {
            if (method == "none")
                throw FormatError(at, block + " prunes " + std::to_string(tokens_in) + " -> " + std::to_string(out) +
                                          " tokens, but method 'none' cannot prune");
            if (method == "pomt" && out < 2)
                throw FormatError(at, block + " keeps " + std::to_string(out) +
                                          " token(s); POMT keeps CLS and one merged token, so at least 2 must remain");
            if (method == "tome") {
                const int most = (tokens_in - 1) / 2;
                if (tokens_in - out > most)
                    throw FormatError(at, block + " removes " + std::to_string(tokens_in - out) + " of " +
                                              std::to_string(tokens_in) + " tokens; ToMe merges at most half of the " +
                                              std::to_string(tokens_in - 1) + " non-CLS tokens (" +
                                              std::to_string(most) + ") in one block, so keep at least " +
                                              std::to_string(tokens_in - most));
            }
        }
        tokens_in = out;
    }
}

void validate_for_method(const Schedule& schedule) {
    validate(schedule);
    resolve_method_parameters(schedule.method, schedule.parameters);
    validate_method_tokens(schedule.method, schedule.input_tokens(), schedule.tokens_after_block);
}

std::vector<int> tome_tokens_after_block(int depth, int input_tokens, int r, double inflection) {
    if (depth <= 0) throw FormatError("depth", "must be positive");
    if (r < 0) throw FormatError("r", "must not be negative");
    // ToMe's parse_r: r_b = int(min + step * b), min = r (1 - inflection), max = 2r - min.
    const double lo = static_cast<int>(r * (1.0 - inflection));
    const double hi = 2.0 * r - lo;
    const double step = depth > 1 ? (hi - lo) / (depth - 1) : 0.0;
    std::vector<int> tokens(static_cast<std::size_t>(depth));
    int n = input_tokens;
    for (int b = 0; b < depth; ++b) {
        const int rb = std::max(0, static_cast<int>(lo + step * b));
        n -= std::min(rb, (n - 1) / 2);
        tokens[static_cast<std::size_t>(b)] = n;
    }
    return tokens;
}

PointBounds bounds_for_point(const std::vector<PruningPoint>& points, int index, int depth, int input_tokens,
                             const std::string& method) {
    const auto i = static_cast<std::size_t>(index);
    const bool has_next = i + 1 < points.size();
    const int tokens_in = index > 0 ? points[i - 1].tokens : input_tokens;
    PointBounds b;
    b.min_block = index > 0 ? points[i - 1].block + 1 : 0;
    b.max_block = has_next ? points[i + 1].block - 1 : depth - 1;
    b.max_tokens = tokens_in - 1;
    if (has_next) b.max_tokens = max_tokens_in_for(method, points[i + 1].tokens, b.max_tokens);
    b.min_tokens = std::max(has_next ? points[i + 1].tokens + 1 : 1, min_tokens_after_pruning(method, tokens_in));
    return b;
}

PruningPoint clamp_point(const std::vector<PruningPoint>& points, int index, PruningPoint proposed, int depth,
                         int input_tokens, const std::string& method) {
    const PointBounds b = bounds_for_point(points, index, depth, input_tokens, method);
    PruningPoint p;
    p.block = std::clamp(proposed.block, b.min_block, std::max(b.min_block, b.max_block));
    p.tokens = std::clamp(proposed.tokens, b.min_tokens, std::max(b.min_tokens, b.max_tokens));
    return p;
}

std::vector<int> tokens_with_point(const Schedule& schedule, int index, PruningPoint moved) {
    auto points = schedule.pruning_points();
    points.at(static_cast<std::size_t>(index)) = moved;
    return tokens_from_points(schedule.depth(), schedule.input_tokens(), points);
}

std::optional<PruningPoint> suggest_new_point(const Schedule& schedule) {
    const auto points = schedule.pruning_points();
    const int depth = schedule.depth();
    const std::string& method = schedule.method;
    // After the last point: halfway to the last block, keeping a little over half of its length.
    const int last_block = points.empty() ? -1 : points.back().block;
    const int last_tokens = points.empty() ? schedule.input_tokens() : points.back().tokens;
    const int floor_after_last = min_tokens_after_pruning(method, last_tokens);
    if (last_block + 1 < depth && floor_after_last < last_tokens) {
        const int block = points.empty() ? std::min(3, depth - 1) : (last_block + depth) / 2;
        const int tokens = std::clamp((last_tokens + 1) / 2 + 1, floor_after_last, last_tokens - 1);
        return PruningPoint{std::clamp(block, last_block + 1, depth - 1), tokens};
    }
    // Otherwise in front of the first point, if a block and a token count are free there.
    if (!points.empty() && points.front().block > 0) {
        const PruningPoint first = points.front();
        const int upper = max_tokens_in_for(method, first.tokens, schedule.input_tokens() - 1);
        const int lower = std::max(first.tokens + 1, min_tokens_after_pruning(method, schedule.input_tokens()));
        if (lower <= upper) return PruningPoint{first.block / 2, (lower + upper + 1) / 2};
    }
    return std::nullopt;
}

std::vector<int> tokens_without_point(const Schedule& schedule, int index) {
    auto points = schedule.pruning_points();
    points.erase(points.begin() + index);
    return tokens_from_points(schedule.depth(), schedule.input_tokens(), points);
}

}  // namespace tp
