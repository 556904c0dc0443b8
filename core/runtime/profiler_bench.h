#pragma once
// Torch-free front of the timed forwards (profiler_bench.cpp holds LibTorch). A bench owns one
// loaded model on one device and times scopes IN PLACE: every sample is a whole forward, with
// timestamps (CPU steady clock; CUDA events on the GPU) at the boundaries of the scopes asked for,
// so a block sees the caches its predecessors leave, as it does in deployment.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/agent/requests.h"
#include "core/model/device.h"
#include "core/model/profile.h"
#include "core/model/schedule.h"
#include "core/model/scope.h"

namespace tp::runtime {

// Scopes that share one kind of forward are measured together, one sample each per forward:
// Plain = model, block, attn, mlp, fixed (every block at n); Deployed:K; Prune:METHOD:K:IN.
struct ForwardGroup {
    enum class Kind { Plain, Deployed, Prune } kind = Kind::Plain;
    Scope key;                     // Deployed / Prune: the scope; Plain: unused
    std::vector<int> curves;       // indices of the sweep's curves in this group
    bool alone = false;            // a scope with a forward of its own (see times_alone)
};
ForwardGroup::Kind forward_kind(const Scope& scope);

// On CUDA the whole model is timed in a forward of its own: the events at block boundaries that
// in-place block timing needs are graph nodes, and on the H100 they added ~0.1 ms to a 0.6 ms
// whole-model curve (0.69 vs 0.59 ms event-free). On the CPU a timestamp costs nanoseconds, so
// every plain scope shares one forward.
bool times_alone(const Scope& scope, const agent::TimingSpec& timing);

struct SensorReading {            // means over the samples of one visit, when available
    std::optional<double> sm_clock_mhz, temperature_c, power_w, cpu_mhz;
};

class ForwardBench {
public:
    virtual ~ForwardBench() = default;
    const ModelInfo& model() const { return model_; }
    const DeviceInfo& device() const { return device_; }
    int torch_threads() const { return torch_threads_; }
    int blas_threads() const { return blas_threads_; }   // -1 when not OpenBLAS
    int interop_threads() const { return interop_threads_; }  // 0: not recorded
    // The CPU thread counts the bench runs with (runtime::use_cpu_threads), recorded with its results.
    void record_cpu_threads(int torch_threads, int blas_threads, int interop_threads) {
        torch_threads_ = torch_threads;
        blas_threads_ = blas_threads;
        interop_threads_ = interop_threads;
    }
    const std::string& weights_note() const { return weights_note_; }

    // Builds inputs (and on CUDA captures the graph) for `scopes` of one group at token count n.
    // Throws tp::FormatError when a scope cannot run at n (e.g. a prune op with n >= tokens in).
    virtual void prepare(const std::vector<Scope>& scopes, int n) = 0;
    // One forward: seconds of each prepared scope, in order. `discard` is set when the sample was
    // taken far below the normal clock (CUDA, NVML) and must not be kept.
    virtual std::vector<double> sample(bool& discard) = 0;
    virtual double last_forward_s() const = 0;  // wall time of the last sample's forward
    virtual SensorReading sensors() = 0;        // read once per visit
    // A schedule end to end (measure): prepare_schedule, then sample() gives one value.
    virtual void prepare_schedule(const Schedule& schedule) = 0;
    virtual void prepare_unpruned() = 0;
    // CUDA: kernels launched by one eager forward of `scope` at n (names, grid and block sizes),
    // through LibTorch's profiler. Empty where no census is possible (CPU).
    virtual std::vector<KernelLaunch> kernel_census(const Scope& scope, int n) {
        (void)scope;
        (void)n;
        return {};
    }

protected:
    ModelInfo model_;
    DeviceInfo device_;
    int torch_threads_ = 1;
    int blas_threads_ = -1;
    int interop_threads_ = 0;
    std::string weights_note_;
};

// Loads the model (preset with random weights seeded 0, or weights + model card), moves it to
// the device and dtype, fixes the thread counts. Throws tp::FormatError for a bad model choice,
// agent::JobUnavailable-like std::runtime_error for a device this build cannot use.
std::unique_ptr<ForwardBench> make_forward_bench(const agent::ModelChoice& choice, const agent::TimingSpec& timing);

// The model a choice names, without building it (cheap: presets and cards only).
ModelInfo model_info_for(const agent::ModelChoice& choice, const agent::TimingSpec& timing);

}  // namespace tp::runtime
