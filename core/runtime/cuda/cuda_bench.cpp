// GPU bench (CUDA builds only): CUDA events around CUDA-graph replays (or eager forwards), events
// at scope boundaries inside the forward for in-place block timing, optional cold L2, NVML clock
// per sample with low-clock samples discarded, kernel census through LibTorch's profiler.
#include "core/runtime/cuda/cuda_bench.h"

#include "core/model/machine_identity.h"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include <ATen/cuda/CUDAGraph.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>
#include <cuda_runtime_api.h>
#include <unistd.h>
#include <torch/csrc/autograd/profiler_kineto.h>
#include <torch/torch.h>

#include <nlohmann/json.hpp>

#include "core/util/format_error.h"
#include "core/runtime/nvml.h"
#include "core/runtime/pruning/reducer_factory.h"
#include "core/runtime/torch_compat.h"
#include "core/runtime/torch_info.h"

namespace tp::runtime {

namespace {

void check(cudaError_t e, const char* what) {
    if (e != cudaSuccess) throw std::runtime_error(std::string(what) + ": " + cudaGetErrorString(e));
}

torch::ScalarType scalar_type(const std::string& dtype) {
    if (dtype == "fp16") return torch::kFloat16;
    if (dtype == "bf16") return torch::kBFloat16;
    return torch::kFloat32;
}

class CudaBench : public ForwardBench {
public:
    CudaBench(VisionTransformer net, const ModelInfo& info, const std::string& note, const agent::TimingSpec& timing)
        : timing_(timing), index_(agent::cuda_index(timing.device)), net_(std::move(net)),
          stream_(c10::cuda::getStreamFromPool(/*isHighPriority=*/false, static_cast<c10::DeviceIndex>(index_))) {
        int count = 0;
        check(cudaGetDeviceCount(&count), "cudaGetDeviceCount");
        if (index_ >= count)
            throw FormatError("device", "'" + timing.device + "' does not exist (" + std::to_string(count) + " CUDA device(s))");
        c10::cuda::CUDAGuard guard(static_cast<c10::DeviceIndex>(index_));
        model_ = info;
        weights_note_ = note;
        graph_mode_ = agent::effective_mode(timing) == "graph";
        net_->to(torch::Device(torch::kCUDA, index_), scalar_type(timing.dtype));
        images_ = torch::randn({timing.batch, info.channels, info.image_size, info.image_size},
                               torch::TensorOptions().dtype(scalar_type(timing.dtype)).device(torch::kCUDA, index_));
        describe_device();
        if (timing.l2 == "cold" && device_.l2_bytes > 0)
            flush_ = torch::empty({device_.l2_bytes}, torch::TensorOptions().dtype(torch::kUInt8).device(torch::kCUDA, index_));
        warm_clocks();
    }

    ~CudaBench() override {
        for (auto e : events_) cudaEventDestroy(e);
    }

    void prepare(const std::vector<Scope>& scopes, int n) override {
        if (n < 1 || n > net_->tokens())
            throw FormatError("tokens", std::to_string(n) + " is outside 1.." + std::to_string(net_->tokens()));
        scopes_ = scopes;
        n_ = n;
        schedule_.clear();
        const Scope& s = scopes.front();
        if (s.kind == ScopeKind::PruneOp) {
            if (n >= s.tokens_in)
                throw FormatError("scope " + to_string(s), "a pruning op must keep fewer than its " +
                                                               std::to_string(s.tokens_in) + " tokens in");
            reducer_ = make_reducer(s.method, {}, model_.depth);
            if (!reducer_) throw FormatError("scope " + to_string(s), "method 'none' has no pruning op");
        }
        build();
    }

    void prepare_schedule(const Schedule& schedule) override {
        if (schedule.depth() != model_.depth || schedule.input_tokens() != net_->tokens())
            throw FormatError("schedule", "does not fit the model's " + std::to_string(model_.depth) + " blocks and " +
                                              std::to_string(net_->tokens()) + " tokens");
        schedule_ = schedule.tokens_after_block;
        schedule_reducer_ = schedule.pruning_points().empty() ? nullptr
                                                              : make_reducer(schedule.method, schedule.parameters, model_.depth);
        scopes_ = {Scope{}};
        build();
    }

    void prepare_unpruned() override {
        schedule_.assign(static_cast<std::size_t>(model_.depth), net_->tokens());
        schedule_reducer_.reset();
        scopes_ = {Scope{}};
        build();
    }

    std::vector<double> sample(bool& discard) override {
        c10::cuda::CUDAGuard guard(static_cast<c10::DeviceIndex>(index_));
        c10::cuda::CUDAStreamGuard stream_guard(stream_);
        torch::InferenceMode mode;
        if (flush_.defined()) flush_.zero_();  // evict the previous sample's working set from L2
        auto t0 = std::chrono::steady_clock::now();
        if (graph_) graph_->replay();
        else forward(/*record=*/true);
        check(cudaEventSynchronize(events_.back()), "cudaEventSynchronize");
        last_forward_s_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        discard = false;
        if (nvml_ && normal_clock_mhz_ > 0) {
            auto clock = nvml_->sm_clock_mhz();
            if (clock) {
                clock_sum_ += *clock;
                ++clock_count_;
                discard = *clock < timing_.min_clock_ratio * normal_clock_mhz_;
            }
        }
        std::vector<double> out;
        for (const auto& [from, to] : spans_) {
            float ms = 0;
            check(cudaEventElapsedTime(&ms, events_[from], events_[to]), "cudaEventElapsedTime");
            out.push_back(ms / 1e3);
        }
        return out;
    }

    double last_forward_s() const override { return last_forward_s_; }

    SensorReading sensors() override {
        SensorReading r;
        if (clock_count_) r.sm_clock_mhz = clock_sum_ / clock_count_;
        clock_sum_ = 0;
        clock_count_ = 0;
        if (nvml_) {
            r.temperature_c = nvml_->temperature_c();
            r.power_w = nvml_->power_w();
        }
        return r;
    }

    std::vector<KernelLaunch> kernel_census(const Scope& scope, int n) override {
        namespace prof = torch::autograd::profiler;
        using torch::profiler::impl::ActivityType;
        using torch::profiler::impl::ProfilerConfig;
        using torch::profiler::impl::ProfilerState;
        prepare({scope}, n);
        c10::cuda::CUDAGuard guard(static_cast<c10::DeviceIndex>(index_));
        c10::cuda::CUDAStreamGuard stream_guard(stream_);
        torch::InferenceMode mode;
        ProfilerConfig config(ProfilerState::KINETO);
        const std::set<ActivityType> activities{ActivityType::CPU, ActivityType::CUDA};
        prof::prepareProfiler(config, activities);
        prof::enableProfiler(config, activities);
        forward(/*record=*/false);
        check(cudaStreamSynchronize(stream_.stream()), "cudaStreamSynchronize");
        auto result = prof::disableProfiler();
        const auto path = std::filesystem::temp_directory_path() / ("tailprune-census-" + std::to_string(::getpid()) + ".json");
        result->save(path.string());
        std::ifstream in(path);
        nlohmann::json trace = nlohmann::json::parse(in, nullptr, false);
        std::filesystem::remove(path);
        std::vector<KernelLaunch> out;
        if (!trace.is_object() || !trace.contains("traceEvents")) return out;
        for (const auto& e : trace["traceEvents"]) {
            if (!e.is_object() || e.value("cat", "") != "kernel") continue;
            KernelLaunch k;
            k.name = e.value("name", "");
            k.duration_us = e.value("dur", 0.0);
            const auto args = e.value("args", nlohmann::json::object());
            auto volume = [](const nlohmann::json& dims) {
                long long v = 1;
                if (!dims.is_array()) return 0LL;
                for (const auto& d : dims) v *= d.get<long long>();
                return v;
            };
            k.grid = volume(args.value("grid", nlohmann::json()));
            k.block = volume(args.value("block", nlohmann::json()));
            out.push_back(k);
        }
        return out;
    }

private:
    // Events at the boundaries the prepared scopes need; spans_ pairs them per scope.
    void build() {
        const int depth = model_.depth;
        const int wanted = 2 * depth + 3;  // start, embed end, per block: attn end, block end; head end
        while (static_cast<int>(events_.size()) < wanted) {
            cudaEvent_t e;
            check(cudaEventCreate(&e), "cudaEventCreate");
            events_.push_back(e);
        }
        spans_.clear();
        const int end = 2 * depth + 2;
        auto block_start = [&](int k) { return k == 0 ? 1 : 2 + 2 * (k - 1) + 1; };
        for (const Scope& s : scopes_) {
            switch (s.kind) {
                case ScopeKind::Block: spans_.push_back({block_start(s.block), 2 + 2 * s.block + 1}); break;
                case ScopeKind::Attention: spans_.push_back({block_start(s.block), 2 + 2 * s.block}); break;
                case ScopeKind::Mlp: spans_.push_back({2 + 2 * s.block, 2 + 2 * s.block + 1}); break;
                case ScopeKind::Fixed: spans_.push_back(s.part == "embed" ? std::pair{0, 1} : std::pair{end - 1, end}); break;
                case ScopeKind::PruneOp: spans_.push_back({2 + 2 * s.block, 2 + 2 * s.block + 1}); break;
                default: spans_.push_back({0, end}); break;
            }
        }
        // Only the events a prepared scope reads are recorded (each one is a graph node that costs
        // time); the end event always is: sample() waits on it.
        needed_.assign(events_.size(), 0);
        needed_[static_cast<std::size_t>(end)] = 1;
        for (const auto& [from, to] : spans_) needed_[static_cast<std::size_t>(from)] = needed_[static_cast<std::size_t>(to)] = 1;
        graph_.reset();
        if (timing_.mode == "eager" || !graph_mode_) return;
        c10::cuda::CUDAGuard guard(static_cast<c10::DeviceIndex>(index_));
        c10::cuda::CUDAStreamGuard stream_guard(stream_);
        torch::InferenceMode mode;
        for (int i = 0; i < 2; ++i) forward(/*record=*/false);  // allocator and cuBLAS warm-up before capture
        check(cudaStreamSynchronize(stream_.stream()), "cudaStreamSynchronize");
        graph_ = std::make_unique<at::cuda::CUDAGraph>();
        graph_->capture_begin();
        forward(/*record=*/true);
        graph_->capture_end();
    }

    void record(int i, bool on) {
        if (!on || !needed_[static_cast<std::size_t>(i)]) return;
        // Inside a capture the event becomes a graph node recorded at every replay.
        check(graph_capturing_ ? cudaEventRecordWithFlags(events_[i], stream_.stream(), cudaEventRecordExternal)
                               : cudaEventRecord(events_[i], stream_.stream()),
              "cudaEventRecord");
    }

    void forward(bool rec) {
        cudaStreamCaptureStatus status = cudaStreamCaptureStatusNone;
        cudaStreamIsCapturing(stream_.stream(), &status);
        graph_capturing_ = status == cudaStreamCaptureStatusActive;
        const int depth = model_.depth;
        const int end = 2 * depth + 2;
        record(0, rec);
        if (!schedule_.empty()) {
            out_ = net_->forward(images_, schedule_, schedule_reducer_.get());
            record(end, rec);
            return;
        }
        const Scope& s = scopes_.front();
        torch::Tensor x;
        int cut = -1, tokens_after_cut = 0;
        if (s.kind == ScopeKind::Deployed) {
            x = net_->embed(images_);
            cut = s.block;
            tokens_after_cut = n_;
        } else if (s.kind == ScopeKind::PruneOp) {
            x = net_->embed_tokens(images_, s.tokens_in);
        } else {
            x = net_->embed_tokens(images_, n_);
        }
        record(1, rec);
        for (int k = 0; k < depth; ++k) {
            if (k == cut + 1 && cut >= 0 && x.size(1) > tokens_after_cut) x = x.narrow(1, 0, tokens_after_cut).contiguous();
            if (s.kind == ScopeKind::PruneOp && k == s.block) {
                AttentionExtras extras;
                x = net_->attention_half(k, x, reducer_->needs(k), &extras);
                BlockState state;
                state.block = k;
                state.depth = depth;
                state.x = x;
                state.attention = extras.attention;
                state.keys = extras.keys;
                state.values = extras.values;
                record(2 + 2 * k, rec);
                reducer_->reduce(state, n_);
                record(2 + 2 * k + 1, rec);
                x = net_->mlp_half(k, state.x);
                continue;
            }
            x = net_->attention_half(k, x);
            record(2 + 2 * k, rec);
            x = net_->mlp_half(k, x);
            record(2 + 2 * k + 1, rec);
        }
        out_ = net_->head_forward(x);
        record(end, rec);
    }

    // An idle GPU sits at a low SM clock and needs a few hundred ms of work to reach its normal one.
    // Without this, a short run that starts right after loading (tailprune measure) times the ramp:
    // on the H100 that added ~0.4 ms to a 0.6 ms forward.
    void warm_clocks() {
        c10::cuda::CUDAGuard guard(static_cast<c10::DeviceIndex>(index_));
        c10::cuda::CUDAStreamGuard stream_guard(stream_);
        torch::InferenceMode mode;
        const auto t0 = std::chrono::steady_clock::now();
        for (;;) {
            for (int i = 0; i < 20; ++i) out_ = net_->forward(images_);
            check(cudaStreamSynchronize(stream_.stream()), "cudaStreamSynchronize");
            const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            bool clock_ok = true;
            if (nvml_ && normal_clock_mhz_ > 0) {
                const auto clock = nvml_->sm_clock_mhz();
                clock_ok = !clock || *clock >= 0.9 * normal_clock_mhz_;
            }
            if ((s >= 0.3 && clock_ok) || s >= 3.0) break;
        }
    }

    void describe_device() {
        cudaDeviceProp prop{};
        check(cudaGetDeviceProperties(&prop, index_), "cudaGetDeviceProperties");
        device_.kind = "cuda";
        device_.name = prop.name;
        device_.host = "local";
        device_.sm_count = prop.multiProcessorCount;
        device_.memory_gb = static_cast<double>(prop.totalGlobalMem) / (1024.0 * 1024.0 * 1024.0);
        device_.l2_bytes = prop.l2CacheSize;
        int runtime = 0, driver = 0;
        cudaRuntimeGetVersion(&runtime);
        cudaDriverGetVersion(&driver);
        device_.runtime_version = std::to_string(runtime / 1000) + "." + std::to_string(runtime % 1000 / 10);
        device_.torch_version = torch_version();
        device_.attention_backend = compat::attention_backend();
        device_.tf32 = at::globalContext().allowTF32CuBLAS();
        char bus[32] = {};
        cudaDeviceGetPCIBusId(bus, sizeof bus, index_);
        nvml_ = Nvml::open(bus, index_);
        if (nvml_) {
            device_.driver_version = nvml_->driver_version();
            normal_clock_mhz_ = nvml_->default_sm_clock_mhz().value_or(0);
            device_.sm_clock_mhz = normal_clock_mhz_;
            device_.extra["nvml"] = "yes";
        } else {
            device_.driver_version = std::to_string(driver / 1000) + "." + std::to_string(driver % 1000 / 10);
            device_.extra["nvml"] = "unavailable (libnvidia-ml.so.1 not loadable): no clocks, no low-clock discards";
        }
        device_.extra["pci_bus_id"] = bus;
        device_.extra["compute_capability"] = std::to_string(prop.major) + "." + std::to_string(prop.minor);
        record_host_facts(device_);
    }

    agent::TimingSpec timing_;
    int index_ = 0;
    VisionTransformer net_{nullptr};
    c10::cuda::CUDAStream stream_;
    bool graph_mode_ = true;
    bool graph_capturing_ = false;
    torch::Tensor images_, flush_, out_;
    std::vector<Scope> scopes_;
    int n_ = 0;
    std::unique_ptr<TokenReducer> reducer_;
    std::vector<int> schedule_;
    std::unique_ptr<TokenReducer> schedule_reducer_;
    std::vector<cudaEvent_t> events_;
    std::vector<std::pair<int, int>> spans_;
    std::vector<char> needed_;  // per event: recorded in this forward
    std::unique_ptr<at::cuda::CUDAGraph> graph_;
    std::unique_ptr<Nvml> nvml_;
    double normal_clock_mhz_ = 0, clock_sum_ = 0, last_forward_s_ = 0;
    int clock_count_ = 0;
};

}  // namespace

std::unique_ptr<ForwardBench> make_cuda_bench(VisionTransformer net, const ModelInfo& info, const std::string& note,
                                              const agent::TimingSpec& timing) {
    if (!torch::cuda::is_available()) throw std::runtime_error("no CUDA device is visible to LibTorch");
    return std::make_unique<CudaBench>(std::move(net), info, note, timing);
}

}  // namespace tp::runtime
