// LibTorch side of the profiler: loads the model and times scopes in place (profiler_bench.h).
#include "core/runtime/profiler_bench.h"

#include <chrono>
#include <filesystem>

#include <torch/torch.h>

#include "core/agent/agent_session.h"
#include "core/util/format_error.h"
#include "core/util/sha256.h"
#include "core/formats/model_card.h"
#include "core/runtime/pruning/reducer_factory.h"
#include "core/formats/safetensors.h"
#include "core/model/machine_identity.h"
#include "core/runtime/cpu_threads.h"
#include "core/platform/timing_environment.h"
#include "core/runtime/torch_compat.h"
#include "core/runtime/torch_info.h"
#include "core/runtime/vit.h"
#include "core/formats/vit_config.h"
#include "core/runtime/vit_weights.h"
#if TAILPRUNE_HAS_CUDA
#include "core/runtime/cuda/cuda_bench.h"
#endif

namespace tp::runtime {

ForwardGroup::Kind forward_kind(const Scope& scope) {
    if (scope.kind == ScopeKind::Deployed) return ForwardGroup::Kind::Deployed;
    if (scope.kind == ScopeKind::PruneOp) return ForwardGroup::Kind::Prune;
    return ForwardGroup::Kind::Plain;
}

bool times_alone(const Scope& scope, const agent::TimingSpec& timing) {
    return scope.kind == ScopeKind::Model && agent::cuda_index(timing.device) >= 0;
}

namespace {

using Clock = std::chrono::steady_clock;

torch::ScalarType scalar_type(const std::string& dtype) {
    if (dtype == "fp16") return torch::kFloat16;
    if (dtype == "bf16") return torch::kBFloat16;
    return torch::kFloat32;
}

std::string resolve_preset(const std::string& name) {
    for (const auto& known : formats::vit_preset_names())
        if (known == name || known == name + "_patch16_224") return known;
    formats::vit_preset(name);  // throws the error listing the presets
    return name;
}

struct DescribedModel {
    ModelInfo info;
    std::string note;
    std::optional<formats::ModelCard> card;
};

DescribedModel describe_choice(const agent::ModelChoice& choice) {
    DescribedModel l;
    if (!choice.preset.empty()) {
        l.info = formats::vit_preset(resolve_preset(choice.preset));
        l.note = "random weights (timm initialisation, seed 0): valid for latency only";
        return l;
    }
    if (!std::filesystem::exists(choice.weights))
        throw FormatError("weights", "file '" + choice.weights + "' does not exist");
    const std::string card_path = formats::card_path_for(choice.weights);
    if (!std::filesystem::exists(card_path))
        throw FormatError("weights", "no model card '" + card_path + "' next to the weights");
    l.card = formats::read_model_card(card_path);
    l.info = l.card->architecture;
    if (l.info.name.empty()) l.info.name = l.card->name;
    l.info.weights_hash = sha256_file_hex(choice.weights);
    l.note = "weights " + std::filesystem::path(choice.weights).filename().string();
    return l;
}

struct LoadedNet {
    VisionTransformer net{nullptr};
    ModelInfo info;
    std::string note;
};

// Builds the model on the CPU in fp32 (random weights seeded 0, or the weights file).
LoadedNet load_net(const agent::ModelChoice& choice, const agent::TimingSpec& timing) {
    DescribedModel l = describe_choice(choice);
    LoadedNet out;
    out.info = l.info;
    out.info.dtype = timing.dtype;
    out.info.batch = timing.batch;
    out.note = l.note;
    torch::manual_seed(0);
    out.net = VisionTransformer(l.info);
    if (l.card) load_weights(out.net, formats::SafetensorsFile::read(choice.weights), formats::card_path_for(choice.weights));
    out.net->eval();
    return out;
}

// Runs blocks and records steady-clock timestamps at scope boundaries. On the CPU every op is
// synchronous, so a timestamp between two ops is exact.
class CpuBench : public ForwardBench {
public:
    CpuBench(LoadedNet loaded, const agent::TimingSpec& timing) : timing_(timing) {
        platform::settle_allocator();
        const CpuThreads threads = use_cpu_threads(timing.threads);  // throws when not in effect
        record_cpu_threads(threads.intra_op, threads.blas, threads.inter_op);
        model_ = loaded.info;
        weights_note_ = loaded.note;
        net_ = loaded.net;
        net_->to(scalar_type(timing.dtype));
        images_ = torch::randn({timing.batch, model_.channels, model_.image_size, model_.image_size},
                               torch::TensorOptions().dtype(scalar_type(timing.dtype)));
        fill_device();
    }

    void prepare(const std::vector<Scope>& scopes, int n) override {
        scopes_ = scopes;
        n_ = n;
        schedule_.clear();
        kind_ = forward_kind(scopes.front());
        if (n < 1 || n > net_->tokens())
            throw FormatError("tokens", std::to_string(n) + " is outside 1.." + std::to_string(net_->tokens()));
        if (kind_ == ForwardGroup::Kind::Prune) {
            const Scope& s = scopes.front();
            if (s.tokens_in > net_->tokens())
                throw FormatError("scope " + to_string(s), "tokens_in exceeds the model's " + std::to_string(net_->tokens()));
            if (n >= s.tokens_in)
                throw FormatError("scope " + to_string(s), "a pruning op must keep fewer than its " +
                                                               std::to_string(s.tokens_in) + " tokens in, not " + std::to_string(n));
            if (!reducer_ || reducer_method_ != s.method) {
                reducer_ = make_reducer(s.method, {}, model_.depth);
                if (!reducer_) throw FormatError("scope " + to_string(s), "method 'none' has no pruning op");
                reducer_method_ = s.method;
            }
        }
    }

    std::vector<double> sample(bool& discard) override {
        discard = false;
        torch::InferenceMode guard;
        if (!schedule_.empty()) return {timed([&] { run_schedule(); })};
        switch (kind_) {
            case ForwardGroup::Kind::Plain: return plain();
            case ForwardGroup::Kind::Deployed: return {timed([&] { deployed(); })};
            case ForwardGroup::Kind::Prune: return {prune()};
        }
        return {};
    }

    double last_forward_s() const override { return last_forward_s_; }

    SensorReading sensors() override {
        SensorReading r;
        r.cpu_mhz = platform::current_cpu_mhz();
        return r;
    }

    void prepare_schedule(const Schedule& schedule) override {
        if (schedule.depth() != model_.depth || schedule.input_tokens() != net_->tokens())
            throw FormatError("schedule", "is for a model of " + std::to_string(schedule.depth()) + " blocks and " +
                                              std::to_string(schedule.input_tokens()) + " tokens, this model has " +
                                              std::to_string(model_.depth) + " and " + std::to_string(net_->tokens()));
        schedule_ = schedule.tokens_after_block;
        bool prunes = !schedule.pruning_points().empty();
        schedule_reducer_ = prunes ? make_reducer(schedule.method, schedule.parameters, model_.depth) : nullptr;
    }

    void prepare_unpruned() override {
        schedule_.assign(static_cast<std::size_t>(model_.depth), net_->tokens());
        schedule_reducer_.reset();
    }

private:
    template <typename Fn>
    double timed(Fn&& fn) {
        auto t0 = Clock::now();
        fn();
        last_forward_s_ = std::chrono::duration<double>(Clock::now() - t0).count();
        return last_forward_s_;
    }

    std::vector<double> plain() {
        const int depth = model_.depth;
        std::vector<Clock::time_point> attn_end(depth), block_end(depth);
        auto t0 = Clock::now();
        auto x = net_->embed_tokens(images_, n_);
        auto t_embed = Clock::now();
        for (int k = 0; k < depth; ++k) {
            x = net_->attention_half(k, x);
            attn_end[k] = Clock::now();
            x = net_->mlp_half(k, x);
            block_end[k] = Clock::now();
        }
        auto logits = net_->head_forward(x);
        auto t_end = Clock::now();
        auto secs = [](Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double>(b - a).count(); };
        last_forward_s_ = secs(t0, t_end);
        std::vector<double> out;
        for (const Scope& s : scopes_) {
            const int k = s.block;
            const Clock::time_point block_start = k <= 0 ? t_embed : block_end[k - 1];
            switch (s.kind) {
                case ScopeKind::Model: out.push_back(secs(t0, t_end)); break;
                case ScopeKind::Block: out.push_back(secs(block_start, block_end[k])); break;
                case ScopeKind::Attention: out.push_back(secs(block_start, attn_end[k])); break;
                case ScopeKind::Mlp: out.push_back(secs(attn_end[k], block_end[k])); break;
                case ScopeKind::Fixed:
                    out.push_back(s.part == "embed" ? secs(t0, t_embed) : secs(block_end[depth - 1], t_end));
                    break;
                default: out.push_back(0); break;
            }
        }
        return out;
    }

    void deployed() {
        const int cut = scopes_.front().block;
        auto x = net_->embed(images_);
        for (int k = 0; k < model_.depth; ++k) {
            if (k == cut + 1 && x.size(1) > n_) x = x.narrow(1, 0, n_).contiguous();
            x = net_->block(k, x);
        }
        net_->head_forward(x);
    }

    double prune() {
        const Scope& s = scopes_.front();
        auto start = Clock::now();
        auto x = net_->embed_tokens(images_, s.tokens_in);
        for (int k = 0; k < s.block; ++k) x = net_->block(k, x);
        AttentionExtras extras;
        x = net_->attention_half(s.block, x, reducer_->needs(s.block), &extras);
        BlockState state;
        state.block = s.block;
        state.depth = model_.depth;
        state.x = x;
        state.attention = extras.attention;
        state.keys = extras.keys;
        state.values = extras.values;
        auto t_a = Clock::now();
        reducer_->reduce(state, n_);
        auto t_b = Clock::now();
        x = net_->mlp_half(s.block, state.x);
        for (int k = s.block + 1; k < model_.depth; ++k) x = net_->block(k, x);
        net_->head_forward(x);
        last_forward_s_ = std::chrono::duration<double>(Clock::now() - start).count();
        return std::chrono::duration<double>(t_b - t_a).count();
    }

    void run_schedule() { net_->forward(images_, schedule_, schedule_reducer_.get()); }

    void fill_device() {
        platform::CpuDescription cpu = platform::describe_cpu();
        device_.kind = "cpu";
        device_.name = cpu.model + " (" + std::to_string(cpu.logical_cpus) + " CPUs)";
        device_.host = "local";
        device_.sm_count = cpu.logical_cpus;
        device_.memory_gb = cpu.memory_gb;
        device_.sm_clock_mhz = cpu.max_mhz.value_or(platform::current_cpu_mhz().value_or(0));
        device_.torch_version = torch_version();
        device_.blas = platform::blas_description();
        device_.attention_backend = compat::attention_backend();
        if (!cpu.governor.empty()) device_.extra["governor"] = cpu.governor;
        record_host_facts(device_);
        device_.extra["torch_parallel"] = at::get_parallel_info().substr(0, 400);
    }

    agent::TimingSpec timing_;
    VisionTransformer net_{nullptr};
    torch::Tensor images_;
    std::vector<Scope> scopes_;
    int n_ = 0;
    ForwardGroup::Kind kind_ = ForwardGroup::Kind::Plain;
    std::unique_ptr<TokenReducer> reducer_;
    std::string reducer_method_;
    std::vector<int> schedule_;
    std::unique_ptr<TokenReducer> schedule_reducer_;
    double last_forward_s_ = 0;
};

}  // namespace

ModelInfo model_info_for(const agent::ModelChoice& choice, const agent::TimingSpec& timing) {
    ModelInfo m = describe_choice(choice).info;
    m.dtype = timing.dtype;
    m.batch = timing.batch;
    return m;
}

std::unique_ptr<ForwardBench> make_forward_bench(const agent::ModelChoice& choice, const agent::TimingSpec& timing) {
    agent::validate(timing);
    if (agent::cuda_index(timing.device) >= 0) {
#if TAILPRUNE_HAS_CUDA
        LoadedNet loaded = load_net(choice, timing);
        const CpuThreads threads = use_cpu_threads(timing.threads);  // the host side of every launch
        auto bench = make_cuda_bench(loaded.net, loaded.info, loaded.note, timing);
        bench->record_cpu_threads(threads.intra_op, threads.blas, threads.inter_op);
        return bench;
#else
        throw agent::JobUnavailable("this build has no CUDA (LibTorch " + torch_version() + " CPU); device '" +
                                    timing.device + "' cannot be used");
#endif
    }
    return std::make_unique<CpuBench>(load_net(choice, timing), timing);
}

}  // namespace tp::runtime
