#include "core/model/method_rules.h"

#include <algorithm>
#include <cmath>

#include "core/model/format_error.h"

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
        auto spec = std::find_if(specs.begin(), specs.end(), [&](const auto& p) { return p.name == name; });
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

}  // namespace tp
