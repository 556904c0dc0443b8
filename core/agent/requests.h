#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/model/device.h"
#include "core/model/profile.h"
#include "core/model/schedule.h"
#include "core/model/scope.h"

namespace tp::agent {

// Which model to run: a preset name (deit_tiny, deit_small, ... random weights) or a weights file.
struct ModelChoice {
    std::string preset;
    std::string weights;
};

// How to time: shared by profile and measure.
struct TimingSpec {
    std::string device = "cpu";   // cpu | cuda | cuda:N
    std::string dtype = "fp32";   // fp32 | fp16 | bf16
    int batch = 1;
    std::string mode;             // cpu | graph | eager; empty = cpu on CPU, graph on CUDA
    std::string l2 = "warm";      // warm | cold (CUDA only)
    int warmup = 3;
    int rounds = 3;
    StoppingRule stopping;
    int threads = 1;              // LibTorch intra-op and BLAS threads (CPU)
    double min_clock_ratio = 0.75;  // discard samples below this fraction of the normal clock
};

// `tailprune profile` and the agent's `profile` command.
struct ProfileRequest {
    ModelChoice model;
    TimingSpec timing;
    std::vector<Scope> scopes{Scope{}};
    std::string tokens = "all";   // token_spec.h text; resolved against the model's token count
    int coarse_step = 0;          // > 1: coarse pass at this stride, then dense near edges
    int chunk = 16;               // sweep_plan.h
    std::uint64_t seed = 1;
    bool shuffle = true;
    bool census = true;           // CUDA: kernel census around detected edges
    std::string output;           // write the profile here (atomically) when done or cancelled
    std::optional<Profile> resume;  // continue this partial profile
};

// `tailprune measure` and the agent's `measure` command: one schedule end to end.
struct MeasureRequest {
    ModelChoice model;
    TimingSpec timing;
    Schedule schedule;
    bool baseline = true;         // also time the unpruned model in the same run (ratio)
};

// The agent's `evaluate` command: accuracy of a schedule on a dataset.
struct EvaluateRequest {
    ModelChoice model;
    Schedule schedule;
    std::string dataset = "fashion-mnist";
    std::string split = "test";
    int limit = 0;                // 0 = the whole split
    std::string device = "cpu";
    int batch = 64;
    // Protocol 2 (the CLI's `evaluate`/`calibrate --on`): with `seed`, `limit` is a seeded
    // class-stratified subset (as `tailprune evaluate --limit --seed`), and the split may be holdout.
    std::optional<std::uint64_t> seed;
    std::string data_dir;         // Fashion-MNIST folder on the agent's machine; empty: its default
    int threads = 0;              // LibTorch threads; 0 = leave as is
    std::string dtype = "fp32";
    std::string method;           // overrides the schedule's method when not empty
};

// Readers for the protocol's request objects (unknown fields ignored, as the protocol says; a
// known field of the wrong type or value throws tp::FormatError naming it).
ProfileRequest profile_request_from_json(const nlohmann::json& body);
MeasureRequest measure_request_from_json(const nlohmann::json& body);
EvaluateRequest evaluate_request_from_json(const nlohmann::json& body);

// Checks values shared by the CLI and the protocol (device syntax, dtype, mode, ranges).
void validate(const TimingSpec& timing);
std::string effective_mode(const TimingSpec& timing);  // fills the default mode for the device
int cuda_index(const std::string& device);             // -1 for cpu; throws FormatError if malformed

}  // namespace tp::agent

namespace tp::agent {

// Writers, the inverse of the readers above: what the CLI's `--on NAME` sends, so a sweep run on a
// device is the same spec as the local one (`x == reader(to_json(x))`). `output` and `resume_path`
// are local matters and never written; `resume` travels as an object.
nlohmann::json to_json(const ProfileRequest& request);
nlohmann::json to_json(const MeasureRequest& request);
nlohmann::json to_json(const EvaluateRequest& request);

}  // namespace tp::agent
