#include "core/accuracy/absorption.h"

#include <cstddef>

namespace tp {

std::vector<ChargedView> absorption_views(const std::vector<int>& after, int depth, int input, double rho,
                                          int first_block) {
    std::vector<int> cut_blocks;
    int previous = input;
    for (int b = 0; b + 1 < depth && b < static_cast<int>(after.size()); ++b) {
        if (after[static_cast<std::size_t>(b)] < previous) cut_blocks.push_back(b);
        previous = after[static_cast<std::size_t>(b)];
    }
    std::vector<ChargedView> views;
    if (cut_blocks.empty()) {
        views.push_back({after, std::vector<double>(after.size(), 1.0)});
        return views;
    }
    for (int last : cut_blocks) {
        ChargedView v{after, std::vector<double>(after.size(), 1.0)};
        const int kept = after[static_cast<std::size_t>(last)];
        for (std::size_t b = 0; b < after.size(); ++b) {
            const int block = static_cast<int>(b);
            if (block >= last) v.tokens[b] = kept;
            else if (block >= first_block) v.weight[b] = rho;
        }
        views.push_back(std::move(v));
    }
    return views;
}

}  // namespace tp
