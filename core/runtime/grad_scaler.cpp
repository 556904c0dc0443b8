#include "core/runtime/grad_scaler.h"

namespace tp::runtime {

GradScaler::GradScaler(bool enabled, GradScalerState state, int growth_interval)
    : enabled_(enabled), state_(state), growth_interval_(growth_interval) {}

torch::Tensor GradScaler::scale(const torch::Tensor& loss) const {
    return enabled_ ? loss * state_.scale : loss;
}

bool GradScaler::unscale(const std::vector<torch::Tensor>& params) const {
    if (!enabled_) return true;
    torch::NoGradGuard no_grad;
    std::vector<torch::Tensor> finite;
    for (const auto& p : params) {
        auto g = p.grad();
        if (!g.defined()) continue;
        g.mul_(1.0 / state_.scale);
        finite.push_back(torch::isfinite(g).all());
    }
    // One host synchronisation per step, like torch's GradScaler.
    return finite.empty() || torch::stack(finite).all().item<bool>();
}

void GradScaler::update(bool finite) {
    if (!enabled_) return;
    if (!finite) {
        state_.scale *= 0.5;
        state_.clean_steps = 0;
        return;
    }
    if (++state_.clean_steps >= growth_interval_) {
        state_.scale *= 2.0;
        state_.clean_steps = 0;
    }
}

}  // namespace tp::runtime
