#pragma once
// Internal to core/runtime: the only place that knows LibTorch version differences.
// Debian's LibTorch 1.13 (CPU) has no scaled_dot_product_attention; LibTorch 2.x has it
// (flash / memory-efficient kernels on CUDA) and the runtime uses it whenever the attention
// probabilities are not needed. Autocast (mixed precision) is set per device type from LibTorch
// 2.4 on (set_autocast_enabled(device, on)); 1.13 has one switch per backend (set_enabled for
// CUDA, set_cpu_enabled for the CPU): AutocastScope hides the difference.
#include <cmath>

#include <ATen/autocast_mode.h>
#include <torch/torch.h>
#include <torch/version.h>

#if TORCH_VERSION_MAJOR >= 2
#define TAILPRUNE_HAS_SDPA 1
#else
#define TAILPRUNE_HAS_SDPA 0
#endif

#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
#define TAILPRUNE_AUTOCAST_PER_DEVICE 1
#else
#define TAILPRUNE_AUTOCAST_PER_DEVICE 0
#endif

namespace tp::runtime::compat {

// softmax(q k^T * scale + bias) v for (B, H, N, Dh) tensors; bias is undefined or broadcastable
// to (B, H, N, N). Never returns the probabilities.
inline torch::Tensor attention_output(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                                      const torch::Tensor& bias) {
#if TAILPRUNE_HAS_SDPA
    if (bias.defined())
        return at::scaled_dot_product_attention(q, k, v, bias.to(q.scalar_type()));
    return at::scaled_dot_product_attention(q, k, v);
#else
    const double scale = 1.0 / std::sqrt(static_cast<double>(q.size(-1)));
    auto logits = torch::matmul(q * scale, k.transpose(-2, -1));
    if (bias.defined()) logits = logits + bias;
    return torch::matmul(logits.softmax(-1), v);
#endif
}

// Python's `with torch.autocast(device, dtype)` for C++: while it lives, matmuls and convolutions
// on `device` run in `dtype` (bf16 or fp16) and precision-sensitive ops (norms, softmax, losses)
// in fp32; the parameters stay fp32. On leaving the outermost scope the cache of casted weights is
// cleared (as Python does) and the previous state comes back. A disabled scope changes nothing.
class AutocastScope {
public:
    AutocastScope(c10::DeviceType device, c10::ScalarType dtype, bool enabled) : device_(device), active_(enabled) {
        if (!active_) return;
        previous_enabled_ = is_enabled(device_);
        previous_dtype_ = get_dtype(device_);
        set_enabled(device_, true);
        set_dtype(device_, dtype);
        at::autocast::increment_nesting();
    }
    ~AutocastScope() {
        if (!active_) return;
        if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
        set_enabled(device_, previous_enabled_);
        set_dtype(device_, previous_dtype_);
    }
    AutocastScope(const AutocastScope&) = delete;
    AutocastScope& operator=(const AutocastScope&) = delete;

private:
#if TAILPRUNE_AUTOCAST_PER_DEVICE
    static bool is_enabled(c10::DeviceType d) { return at::autocast::is_autocast_enabled(d); }
    static void set_enabled(c10::DeviceType d, bool on) { at::autocast::set_autocast_enabled(d, on); }
    static c10::ScalarType get_dtype(c10::DeviceType d) { return at::autocast::get_autocast_dtype(d); }
    static void set_dtype(c10::DeviceType d, c10::ScalarType t) { at::autocast::set_autocast_dtype(d, t); }
#else
    static bool is_enabled(c10::DeviceType d) {
        return d == c10::DeviceType::CUDA ? at::autocast::is_enabled() : at::autocast::is_cpu_enabled();
    }
    static void set_enabled(c10::DeviceType d, bool on) {
        d == c10::DeviceType::CUDA ? at::autocast::set_enabled(on) : at::autocast::set_cpu_enabled(on);
    }
    static c10::ScalarType get_dtype(c10::DeviceType d) {
        return d == c10::DeviceType::CUDA ? at::autocast::get_autocast_gpu_dtype() : at::autocast::get_autocast_cpu_dtype();
    }
    static void set_dtype(c10::DeviceType d, c10::ScalarType t) {
        d == c10::DeviceType::CUDA ? at::autocast::set_autocast_gpu_dtype(t) : at::autocast::set_autocast_cpu_dtype(t);
    }
#endif
    c10::DeviceType device_;
    bool active_;
    bool previous_enabled_ = false;
    c10::ScalarType previous_dtype_ = c10::ScalarType::Float;
};

inline const char* attention_backend() {
#if TAILPRUNE_HAS_SDPA
    return "sdpa";
#else
    return "math";
#endif
}

}  // namespace tp::runtime::compat
