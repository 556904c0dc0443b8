#pragma once
#include <map>
#include <string>

namespace tp {

// The device a profile or schedule belongs to, with the software stack it was measured with.
struct DeviceInfo {
    std::string name;            // user-facing, e.g. "NVIDIA H100 80GB HBM3" or "cpu-2core-xeon"
    std::string kind = "cpu";    // cpu | cuda
    std::string host;            // host it was reached on ("local" or the ssh destination)
    int sm_count = 0;            // CUDA multiprocessors, or CPU cores for kind=cpu
    double memory_gb = 0;
    double sm_clock_mhz = 0;     // default/nominal clock (GPU SM or CPU)
    double mem_clock_mhz = 0;
    long long l2_bytes = 0;
    std::string driver_version;
    std::string runtime_version; // CUDA runtime
    std::string torch_version;
    std::string blas;            // e.g. openblas-pthread
    bool tf32 = false;
    std::string attention_backend;  // math | flash | efficient | cudnn
    std::map<std::string, std::string> extra;  // anything else worth keeping (nvpmodel, governor, ...)

    // Stable identity for grouping: name + kind + host (not versions).
    std::string identity() const { return kind + ":" + name + "@" + host; }
};

// The model a profile or schedule belongs to.
struct ModelInfo {
    std::string name;            // e.g. deit_small_patch16_224, fmnist_vit8
    std::string architecture = "vit";
    int depth = 12;
    int embed_dim = 384;
    int heads = 6;
    int mlp_ratio_x100 = 400;    // mlp hidden = embed_dim * mlp_ratio_x100 / 100
    int patch = 16;
    int image_size = 224;
    int channels = 3;
    int num_classes = 1000;
    int tokens = 197;            // full sequence length incl. CLS
    std::string dtype = "fp32";  // fp32 | fp16 | bf16
    int batch = 1;
    std::string weights_hash;    // sha256 of the weights file, empty for random weights
};

// How the measurements were taken.
struct StoppingRule {
    int min_samples = 10;
    double min_time_s = 0.5;
    double target_rel_noise = 0.01;
    double timeout_s = 15;
};

struct MeasurementSettings {
    std::string mode = "cpu";    // graph | eager | cpu
    std::string l2 = "warm";     // warm | cold
    int warmup = 3;
    int rounds = 3;
    StoppingRule stopping;
    int torch_threads = 1;
    int blas_threads = 1;
    std::string date;            // ISO 8601 UTC
    std::string tool_version;
    std::string who;
    std::map<std::string, std::string> environment;  // OPENBLAS_CORETYPE, governor, ...
};

}  // namespace tp
