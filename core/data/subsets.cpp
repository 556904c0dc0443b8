#include "core/data/subsets.h"

#include <algorithm>
#include <map>
#include <numeric>
#include <random>

namespace tp::data {

std::vector<size_t> seeded_permutation(size_t n, uint64_t seed) {
    std::vector<size_t> p(n);
    std::iota(p.begin(), p.end(), size_t{0});
    std::mt19937_64 rng(seed);
    for (size_t i = n; i > 1; --i) std::swap(p[i - 1], p[rng() % i]);
    return p;
}

std::vector<size_t> stratified_subset(const std::vector<int>& labels, size_t count, uint64_t seed) {
    std::vector<size_t> all(labels.size());
    std::iota(all.begin(), all.end(), size_t{0});
    if (count >= labels.size()) return all;
    std::map<int, std::vector<size_t>> by_class;
    for (size_t i = 0; i < labels.size(); ++i) by_class[labels[i]].push_back(i);

    // Largest-remainder quotas; ties go to the smaller class label.
    std::vector<std::pair<int, size_t>> quota;
    std::vector<std::pair<double, int>> remainder;
    size_t given = 0;
    for (const auto& [cls, members] : by_class) {
        const double exact = static_cast<double>(members.size()) * count / labels.size();
        const auto floor = static_cast<size_t>(exact);
        quota.emplace_back(cls, floor);
        remainder.emplace_back(exact - floor, cls);
        given += floor;
    }
    std::stable_sort(remainder.begin(), remainder.end(),
                     [](const auto& a, const auto& b) { return a.first > b.first; });
    for (size_t i = 0; given < count && i < remainder.size(); ++i, ++given)
        for (auto& q : quota)
            if (q.first == remainder[i].second) ++q.second;

    std::vector<size_t> out;
    out.reserve(count);
    for (const auto& [cls, n] : quota) {
        const auto& members = by_class[cls];
        auto order = seeded_permutation(members.size(), seed * 1000003ULL + static_cast<uint64_t>(cls));
        for (size_t i = 0; i < n; ++i) out.push_back(members[order[i]]);
    }
    std::sort(out.begin(), out.end());
    return out;
}

HoldoutSplit split_holdout(const std::vector<int>& labels, size_t holdout_count, uint64_t seed) {
    HoldoutSplit split;
    split.holdout = stratified_subset(labels, holdout_count, seed);
    std::vector<char> in_holdout(labels.size(), 0);
    for (auto i : split.holdout) in_holdout[i] = 1;
    for (size_t i = 0; i < labels.size(); ++i)
        if (!in_holdout[i]) split.train.push_back(i);
    return split;
}

}  // namespace tp::data
