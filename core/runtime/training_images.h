#pragma once
// Internal to core/runtime (LibTorch): a split of 28x28 grayscale images held as one uint8 tensor
// on the training device, and batches cut from it there: augmentation (flip, shift with zero
// fill) and normalisation run as tensor ops on that device, so a GPU run moves no image over the
// bus after the upload. The random draws come from a host generator the caller passes in, in a
// fixed order, so a seeded run draws the same augmentation on every device.
#include <random>
#include <vector>

#include <torch/torch.h>

#include "core/data/fashion_mnist.h"

namespace tp::runtime {

struct Augmentation {
    bool hflip = false;  // mirror left-right with p = 0.5
    int translate = 0;   // shift by a uniform -t..t pixels in x and in y, zero fill
};

// x -> (x / divide_by - mean) / std: the trained models' to_float + normalize pipeline.
struct Normalisation {
    double divide_by = 255, mean = 0, std = 1;
};

class TrainingImages {
public:
    TrainingImages(const data::FashionMnist& set, const std::vector<size_t>& indices, torch::Device device,
                   Normalisation norm);

    size_t size() const { return static_cast<size_t>(labels_.size(0)); }
    const torch::Tensor& labels() const { return labels_; }  // (N) int64 on the device

    // Images at positions order[first, first + count) (positions into this set), augmented with
    // draws from `rng` (per image: flip if hflip, then dx, dy if translate), normalised:
    // (count, 1, 28, 28) float on the device, and their labels.
    std::pair<torch::Tensor, torch::Tensor> batch(const std::vector<size_t>& order, size_t first, size_t count,
                                                  const Augmentation& augmentation, std::mt19937_64& rng) const;
    // Positions [first, first + count) as they are (evaluation).
    std::pair<torch::Tensor, torch::Tensor> plain(size_t first, size_t count) const;

private:
    torch::Tensor normalised(const torch::Tensor& pixels) const;
    torch::Tensor pixels_;  // (N, 28, 28) uint8 on the device
    torch::Tensor labels_;
    torch::Device device_;
    Normalisation norm_;
};

}  // namespace tp::runtime
