#pragma once
// Torch-free: seeded, class-stratified subsets and the training/holdout split.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace tp::data {

// `count` indices into `labels`, each class represented in proportion to its frequency (largest
// remainder), picked by a seeded shuffle that gives the same result on every platform. Sorted.
// count >= labels.size() returns every index.
std::vector<size_t> stratified_subset(const std::vector<int>& labels, size_t count, uint64_t seed);

struct HoldoutSplit {
    std::vector<size_t> train;    // sorted
    std::vector<size_t> holdout;  // sorted, stratified
};
// The holdout is stratified_subset(labels, holdout_count, seed); train is everything else.
HoldoutSplit split_holdout(const std::vector<int>& labels, size_t holdout_count, uint64_t seed);

// A seeded permutation of 0..n-1 (portable: explicit Fisher-Yates over mt19937_64).
std::vector<size_t> seeded_permutation(size_t n, uint64_t seed);

}  // namespace tp::data
