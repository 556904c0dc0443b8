#include "core/runtime/pruning/reducer_factory.h"

#include "core/util/format_error.h"
#include "core/model/method_rules.h"
#include "core/runtime/pruning/methods.h"

namespace tp::runtime {

std::unique_ptr<TokenReducer> make_reducer(const std::string& method, const std::map<std::string, double>& parameters,
                                           int depth) {
    const auto p = resolve_method_parameters(method, parameters);  // throws FormatError naming the problem
    if (method == "none") return nullptr;
    if (method == "random") return make_random_reducer(static_cast<std::uint64_t>(p.at("seed")));
    if (method == "topk") return make_topk_reducer();
    if (method == "pomt") return make_pomt_reducer(/*merge=*/true);
    if (method == "pomt_nomerge") return make_pomt_reducer(/*merge=*/false);
    if (method == "tome") return make_tome_reducer(p.at("proportional_attention") != 0);
    if (method == "zerotprune") return make_zerotprune_reducer(zerotprune_settings(p, depth));
    throw FormatError("/method", "method '" + method + "' has no runtime implementation");
}

}  // namespace tp::runtime
