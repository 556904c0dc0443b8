#pragma once
// Torch-free: Fashion-MNIST splits decoded once per process (issue 30). `tailprune calibrate`
// evaluates ~50 schedules on the same holdout split, each through evaluate_model; decoding the
// 60,000 gzip-compressed training images took 0.8-1.6 s of each ~2.6 s evaluation on the 2-core
// CPU. The agent keeps the split it last served the same way.
#include <memory>
#include <string>

#include "core/data/fashion_mnist.h"

namespace tp::runtime {

// FashionMnist::load(dir, split), kept while the files' sizes and modification times stay the
// same (a changed or replaced file is read again). One entry per (dir, split); thread-safe. Errors
// are FashionMnist::load's and are not cached.
std::shared_ptr<const data::FashionMnist> cached_fashion_mnist(const std::string& dir, const std::string& split);

}  // namespace tp::runtime
