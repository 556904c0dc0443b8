#include "core/runtime/training_images.h"

#include <cstring>

namespace tp::runtime {

constexpr int64_t kSide = 28;

TrainingImages::TrainingImages(const data::FashionMnist& set, const std::vector<size_t>& indices, torch::Device device,
                               Normalisation norm)
    : device_(device), norm_(norm) {
    const auto n = static_cast<int64_t>(indices.size());
    auto pixels = torch::empty({n, kSide, kSide}, torch::kUInt8);
    auto labels = torch::empty({n}, torch::kLong);
    auto* dst = pixels.data_ptr<uint8_t>();
    auto* lab = labels.data_ptr<int64_t>();
    for (int64_t i = 0; i < n; ++i) {
        std::memcpy(dst + i * kSide * kSide, set.pixels(indices[i]), kSide * kSide);
        lab[i] = set.label(indices[i]);
    }
    pixels_ = pixels.to(device);
    labels_ = labels.to(device);
}

torch::Tensor TrainingImages::normalised(const torch::Tensor& pixels) const {
    auto x = pixels.to(torch::kFloat32).div_(norm_.divide_by).sub_(norm_.mean).div_(norm_.std);
    return x.unsqueeze(1);
}

std::pair<torch::Tensor, torch::Tensor> TrainingImages::batch(const std::vector<size_t>& order, size_t first,
                                                              size_t count, const Augmentation& aug,
                                                              std::mt19937_64& rng) const {
    const auto b = static_cast<int64_t>(count);
    std::vector<int64_t> positions(count), shifts(2 * count, 0);  // shifts: dx, dy per image
    std::vector<uint8_t> flips(count, 0);
    const int span = 2 * aug.translate + 1;
    for (size_t i = 0; i < count; ++i) {
        positions[i] = static_cast<int64_t>(order[first + i]);
        // The draw order (flip, dx, dy per image) is part of a seeded run's identity.
        if (aug.hflip && (rng() & 1)) flips[i] = 1;
        if (aug.translate) {
            shifts[2 * i] = static_cast<int64_t>(rng() % span) - aug.translate;
            shifts[2 * i + 1] = static_cast<int64_t>(rng() % span) - aug.translate;
        }
    }
    auto host = [&](auto& v, std::vector<int64_t> shape, torch::ScalarType type) {
        return torch::from_blob(v.data(), shape, type).to(device_, /*non_blocking=*/false, /*copy=*/true);
    };
    const auto index = host(positions, {b}, torch::kLong);
    auto images = pixels_.index_select(0, index);
    if (aug.hflip || aug.translate) {
        // out[y][x] = in[y - dy][x'] with x' = x - dx, mirrored (27 - x') when flipped; zero
        // where the source falls outside the image.
        const auto flip = host(flips, {b}, torch::kUInt8).to(torch::kBool);
        const auto shift = host(shifts, {b, 2}, torch::kLong);
        const auto grid = torch::arange(kSide, torch::TensorOptions().dtype(torch::kLong).device(device_));
        auto rows = grid.unsqueeze(0) - shift.select(1, 1).unsqueeze(1);  // (B, 28)
        auto cols = grid.unsqueeze(0) - shift.select(1, 0).unsqueeze(1);
        const auto inside = (rows.ge(0) & rows.lt(kSide)).unsqueeze(2) & (cols.ge(0) & cols.lt(kSide)).unsqueeze(1);
        cols = torch::where(flip.unsqueeze(1), (kSide - 1) - cols, cols);
        const auto batch_index = torch::arange(b, grid.options()).view({b, 1, 1});
        images = images.index({batch_index, rows.clamp(0, kSide - 1).unsqueeze(2), cols.clamp(0, kSide - 1).unsqueeze(1)});
        images = images * inside.to(torch::kUInt8);
    }
    return {normalised(images), labels_.index_select(0, index)};
}

std::pair<torch::Tensor, torch::Tensor> TrainingImages::plain(size_t first, size_t count) const {
    const auto from = static_cast<int64_t>(first), to = static_cast<int64_t>(first + count);
    return {normalised(pixels_.slice(0, from, to)), labels_.slice(0, from, to)};
}

}  // namespace tp::runtime
