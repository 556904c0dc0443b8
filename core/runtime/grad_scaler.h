#pragma once
// Internal to core/runtime (LibTorch): dynamic loss scaling for fp16 mixed-precision training, the
// C++ counterpart of torch.amp.GradScaler. fp16 gradients of small magnitude underflow to zero;
// scaling the loss by S before backward lifts them into fp16's range, and dividing the (fp32
// master) gradients by S afterwards restores them. When a step's gradients hold inf/NaN the step
// is skipped and S is halved; after `growth_interval` clean steps in a row S doubles.
// bf16 has fp32's exponent range and needs none of this: a disabled scaler is a no-op.
#include <vector>

#include <torch/torch.h>

namespace tp::runtime {

struct GradScalerState {
    double scale = 65536.0;  // 2^16, torch's default
    int clean_steps = 0;     // steps since the last overflow or growth
};

class GradScaler {
public:
    explicit GradScaler(bool enabled, GradScalerState state = {}, int growth_interval = 2000);

    bool enabled() const { return enabled_; }
    const GradScalerState& state() const { return state_; }

    // loss * S (the loss itself when disabled).
    torch::Tensor scale(const torch::Tensor& loss) const;
    // Divides every defined gradient of `params` by S in place. Returns false when any gradient
    // holds inf or NaN: the optimizer step must then be skipped. Always true when disabled.
    bool unscale(const std::vector<torch::Tensor>& params) const;
    // After each step: halves S on overflow, doubles it after growth_interval clean steps.
    void update(bool finite);

private:
    bool enabled_;
    GradScalerState state_;
    int growth_interval_;
};

}  // namespace tp::runtime
