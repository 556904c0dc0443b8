// bench_runtime_vs_pytorch: this runtime's ViT forward against eager PyTorch (Debian's
// python3-torch running scripts/bench_pytorch_vit.py --serve) on the same weights, the same batch,
// the same input and the same thread counts (LibTorch intra-op, inter-op and OpenBLAS, set on both
// sides and read back), in one run; and the forward's time as the token count falls.
//   cmake --build build --target bench_runtime_vs_pytorch
//   build/tests/runtime/bench_runtime_vs_pytorch [ITERATIONS=200] [ROUNDS=5] [--threads N]
//       [--only TEXT] [--sample-ms MS] [--max-seconds S] [--detail] [--no-pytorch] [--as-before-issue-30]
//       [--cpu N | --no-pin] [--pairs K]
// Configurations: the shipped fmnist ViT and a DeiT-Tiny-shaped model (random weights), each at
// batch 1 and 64, at several token counts. A round times every configuration once on each side
// (which side goes first alternates), so load changes on a shared machine hit both alike; per
// configuration it prints the median over rounds of each side's per-round median, the spread
// between rounds ((max - min) / median) and the median of the per-round ratios.
// ITERATIONS is the most timed forwards per sample; a sample takes about --sample-ms (default 1000)
// of forwards, at least 3. One untimed round of both sides comes first (caches, page tables and the
// server's lazily built state settle there). --max-seconds starts no round after S seconds (the
// rounds run are printed). --detail prints every round's ratio. --only keeps the configurations whose name contains TEXT;
// --no-pytorch times the runtime alone (for perf). --as-before-issue-30 runs the runtime side as the
// runtime ran before issue 30's fix, for before/after figures in one build: glibc's malloc defaults
// (keep_freed_memory_for_reuse() then compiled to nothing) and OpenBLAS's thread count as the
// process found it (only LibTorch's intra-op count was set); the forward code is the same.
// Both sides run on one CPU (--cpu N, default the last one this process may use; the PyTorch
// process inherits it): on a VM whose CPUs differ from moment to moment, a side that landed on the
// other CPU in a round was 10-15% off its partner there (docs/runtime-speed.md). --no-pin leaves
// the placement to the scheduler.
// --pairs K (default 20, at most one per timed forward) cuts each sample into K bursts per side
// and alternates the sides burst by burst; a round's ratio is the median of the K burst ratios.
// With one burst per side (--pairs 1, the bench before session 12) a slow spell of the host that
// fell on one side's whole sample moved that round's ratio by 6-67% (docs/runtime-speed.md); the
// two bursts of a pair, milliseconds to seconds apart, see the same host.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include <QCoreApplication>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>

#include <torch/torch.h>

#include "core/formats/model_card.h"
#include "core/formats/safetensors.h"
#include "core/formats/vit_config.h"
#include "core/platform/cpu_affinity.h"
#include "core/platform/timing_environment.h"
#include "core/runtime/cpu_threads.h"
#include "core/runtime/malloc_tuning.h"
#include "core/runtime/vit.h"
#include "core/runtime/vit_weights.h"
#include "core/util/median.h"

using namespace tp::runtime;

namespace {

struct Config {
    std::string model;  // "fmnist_vit8" or "deit_tiny"
    int batch;
    std::vector<int> tokens;
};

struct Side {
    std::vector<double> ms;  // one median per round
};

using tp::median;  // core/util/median.h

double spread(const std::vector<double>& v) {
    if (v.empty()) return 0;
    const double m = median(v);
    return m > 0 ? (*std::max_element(v.begin(), v.end()) - *std::min_element(v.begin(), v.end())) / m : 0;
}

double ms_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

double median_ms(VisionTransformer& model, const torch::Tensor& images, int n, int warmup, int iterations) {
    c10::InferenceMode guard;
    for (int i = 0; i < warmup; ++i) model->forward_at(images, n);
    std::vector<double> t;
    for (int i = 0; i < iterations; ++i) {
        const auto start = std::chrono::steady_clock::now();
        model->forward_at(images, n);
        t.push_back(ms_since(start));
    }
    return median(t);
}

// scripts/bench_pytorch_vit.py --serve: one process for the whole run, one request per sample.
class PyTorchServer {
public:
    bool start(int threads) {
        auto env = QProcessEnvironment::systemEnvironment();
        // The same glibc malloc settings keep_freed_memory_for_reuse() gives this process.
        env.insert("GLIBC_TUNABLES", "glibc.malloc.mmap_threshold=268435456:glibc.malloc.trim_threshold=1073741824");
        p_.setProcessEnvironment(env);
        p_.start("/usr/bin/python3", {QString(TAILPRUNE_SOURCE_DIR) + "/scripts/bench_pytorch_vit.py", "--serve",
                                      "--threads", QString::number(threads)});
        return p_.waitForStarted(30000);
    }
    // Median ms of `iterations` forwards, or a negative value (the error is printed).
    double time(const std::string& weights, int heads, int batch, int n, int warmup, int iterations, QJsonObject* threads) {
        QJsonObject request{{"weights", QString::fromStdString(weights)}, {"heads", heads}, {"batch", batch},
                            {"tokens", n}, {"warmup", warmup}, {"iterations", iterations}};
        p_.write(QJsonDocument(request).toJson(QJsonDocument::Compact) + "\n");
        while (!p_.canReadLine())
            if (!p_.waitForReadyRead(600000)) {
                std::fprintf(stderr, "python3 did not answer: %s\n", p_.readAllStandardError().constData());
                return -1;
            }
        const auto answer = QJsonDocument::fromJson(p_.readLine()).object();
        if (answer.contains("error")) {
            std::fprintf(stderr, "python3: %s\n", answer["error"].toString().toUtf8().constData());
            return -1;
        }
        if (threads) *threads = answer["threads"].toObject();
        return answer["ms"].toDouble();
    }
    ~PyTorchServer() {
        p_.closeWriteChannel();
        if (!p_.waitForFinished(10000)) p_.kill();
    }

private:
    QProcess p_;
};

}  // namespace

int main(int argc, char** argv) {
    QCoreApplication app(argc, argv);
    int iterations = 200, rounds = 5, threads = kDefaultCpuThreads;
    double sample_ms = 1000, max_seconds = 0;
    bool pytorch = true, as_before = false, detail = false, pin = true;
    int pin_cpu = -1;
    int pairs = 20;
    std::string only;
    std::vector<int> positional;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--threads" && i + 1 < argc) threads = std::max(1, std::atoi(argv[++i]));
        else if (a == "--only" && i + 1 < argc) only = argv[++i];
        else if (a == "--sample-ms" && i + 1 < argc) sample_ms = std::max(1.0, std::atof(argv[++i]));
        else if (a == "--max-seconds" && i + 1 < argc) max_seconds = std::max(1.0, std::atof(argv[++i]));
        else if (a == "--no-pytorch") pytorch = false;
        else if (a == "--detail") detail = true;
        else if (a == "--as-before-issue-30") as_before = true;
        else if (a == "--cpu" && i + 1 < argc) pin_cpu = std::atoi(argv[++i]);
        else if (a == "--no-pin") pin = false;
        else if (a == "--pairs" && i + 1 < argc) pairs = std::max(1, std::atoi(argv[++i]));
        else positional.push_back(std::max(1, std::atoi(argv[i])));
    }
    if (positional.size() > 0) iterations = positional[0];
    if (positional.size() > 1) rounds = positional[1];

    if (pin) {
        const std::vector<int> cpus = tp::platform::allowed_cpus();
        if (pin_cpu < 0 && !cpus.empty()) pin_cpu = cpus.back();
        try {
            tp::platform::pin_to_cpu(pin_cpu);
        } catch (const std::exception& e) {
            std::fprintf(stderr, "%s\n", e.what());
            return 1;
        }
    }
    CpuThreads in_effect;
    if (as_before) {
        torch::set_num_threads(threads);
        in_effect = cpu_threads_in_effect();
    } else {
        keep_freed_memory_for_reuse();
        in_effect = use_cpu_threads(threads);
    }
    torch::manual_seed(0);
    QTemporaryDir dir;

    const std::string shipped = std::string(TAILPRUNE_SOURCE_DIR) + "/resources/models/fmnist_vit8/fmnist_vit8.safetensors";
    std::vector<Config> configs = {{"fmnist_vit8", 64, {50, 38, 26, 14}},
                                   {"fmnist_vit8", 1, {50, 38, 26, 14}},
                                   {"deit_tiny", 1, {197, 148, 99, 50, 25}},
                                   {"deit_tiny", 64, {197, 99, 50}}};
    struct Model {
        tp::ModelInfo arch;
        std::string weights;
        VisionTransformer net{nullptr};
    };
    std::map<std::string, Model> models;
    {
        Model fm;
        fm.arch = tp::formats::read_model_card(tp::formats::card_path_for(shipped)).architecture;
        fm.weights = shipped;
        fm.net = VisionTransformer(fm.arch);
        load_weights(fm.net, tp::formats::SafetensorsFile::read(shipped));
        models["fmnist_vit8"] = fm;
        Model deit;
        deit.arch = tp::formats::vit_preset("deit_tiny_patch16_224");
        deit.net = VisionTransformer(deit.arch);
        deit.weights = dir.filePath("deit_tiny_random.safetensors").toStdString();
        save_weights(deit.net, deit.weights);
        models["deit_tiny"] = deit;
        for (auto& [name, m] : models) m.net->eval();
    }

    struct Row {
        const Config* config;
        int n;
        int iterations = 0;
        double once_ms = 0;
        torch::Tensor images;
        Side ours, theirs;
        std::vector<double> ratios;
    };
    std::vector<Row> rows;
    for (const auto& c : configs) {
        const std::string name = c.model + " batch " + std::to_string(c.batch);
        if (!only.empty() && name.find(only) == std::string::npos) continue;
        const auto& arch = models[c.model].arch;
        // The same input as the PyTorch side (torch.randn with generator seed 0 on both sides).
        torch::manual_seed(0);
        auto images = torch::randn({c.batch, arch.channels, arch.image_size, arch.image_size});
        for (int n : c.tokens) rows.push_back({&c, n, 0, 0, images, {}, {}, {}});
    }

    PyTorchServer server;
    if (pytorch && !server.start(threads)) {
        std::fprintf(stderr, "cannot start /usr/bin/python3\n");
        return 1;
    }
    const auto cpu = tp::platform::describe_cpu();
    const char* coretype = std::getenv("OPENBLAS_CORETYPE");
    std::printf("%s, %d logical CPUs, %s; LibTorch %s; %s; OPENBLAS_CORETYPE=%s\n", cpu.model.c_str(), cpu.logical_cpus,
                cpu.kernel.c_str(), TORCH_VERSION, tp::platform::blas_description().c_str(), coretype ? coretype : "(unset)");
    std::printf("runtime threads: %s; malloc: %s%s; load average at start %.2f\n", describe(in_effect).c_str(),
                tp::platform::allocator_settings().c_str(), as_before ? " (runtime as before issue 30)" : "",
                tp::platform::load_average().value_or(-1));
    std::printf("placement: %s\n", pin ? ("both sides pinned to " + tp::platform::affinity_description()).c_str()
                                       : ("not pinned (" + tp::platform::affinity_description() + ")").c_str());

    // Iterations per sample: about sample_ms of forwards (from a first timing), 3..ITERATIONS.
    for (auto& r : rows) {
        auto& m = models[r.config->model];
        const double once = median_ms(m.net, r.images, r.n, 1, 1);
        r.once_ms = once;
        r.iterations = std::clamp(static_cast<int>(std::ceil(sample_ms / std::max(once, 1e-3))), 3, iterations);
    }

    QJsonObject py_threads;
    const auto started = std::chrono::steady_clock::now();
    int rounds_run = 0;
    for (int round = -1; round < rounds; ++round) {  // round -1: the untimed one
        if (max_seconds > 0 && round > 0 && ms_since(started) / 1000 > max_seconds) break;
        const bool timed = round >= 0;
        rounds_run += timed;
        for (auto& r : rows) {
            auto& m = models[r.config->model];
            const int warmup = r.once_ms > 200 ? 1 : 2;  // a warm-up forward of a heavy configuration is enough
            // The sample is cut into `bursts` short bursts, the two sides alternating burst by burst:
            // a slow spell of the host (tens of percent for seconds on this VM) then hits both sides
            // of a pair alike, and the round's ratio is the median of the pairs' ratios.
            const int bursts = pytorch ? std::clamp(pairs, 1, r.iterations) : 1;
            const int per_burst = (r.iterations + bursts - 1) / bursts;
            std::vector<double> ours_b, theirs_b, ratio_b;
            for (int b = 0; b < bursts; ++b) {
                // The first burst warms up; later bursts re-warm light configurations (the other
                // side's burst ran in between), heavy ones only once.
                const int w = b == 0 ? warmup : r.once_ms > 200 ? 0 : 1;
                double ours = 0, theirs = 0;
                auto run_ours = [&] { ours = median_ms(m.net, r.images, r.n, w, per_burst); };
                auto run_theirs = [&] {
                    if (pytorch) theirs = server.time(m.weights, m.arch.heads, r.config->batch, r.n, w, per_burst, &py_threads);
                };
                if ((round + b) % 2 == 0) {  // which side goes first alternates (round -1 starts with PyTorch)
                    run_ours();
                    run_theirs();
                } else {
                    run_theirs();
                    run_ours();
                }
                ours_b.push_back(ours);
                if (pytorch && theirs > 0) {
                    theirs_b.push_back(theirs);
                    ratio_b.push_back(ours / theirs);
                }
            }
            if (!timed) continue;
            r.ours.ms.push_back(median(ours_b));
            if (!ratio_b.empty()) {
                r.theirs.ms.push_back(median(theirs_b));
                r.ratios.push_back(median(ratio_b));
            }
        }
        std::fprintf(stderr, "round %d/%d done (%.0f s)%s\n", round + 1, rounds, ms_since(started) / 1000,
                     timed ? "" : " (untimed)");
    }

    if (pytorch)
        std::printf("PyTorch threads: %d intra-op, %d inter-op, %d BLAS (python3 --serve, read back)\n",
                    py_threads["intra_op"].toInt(), py_threads["inter_op"].toInt(), py_threads["blas"].toInt());
    std::printf("%d rounds, interleaved; per sample up to %d forwards (~%.0f ms) in %d bursts per side, the sides "
                "alternating burst by burst; a round's time is the median of its bursts' medians, its ratio the median "
                "of the bursts' ratios; spread = (max - min) / median over rounds\n\n",
                rounds_run, iterations, sample_ms, pytorch ? pairs : 1);
    const Config* current = nullptr;
    std::vector<double> falling;
    auto close_config = [&] {
        if (!current) return;
        bool falls = true;
        for (size_t i = 1; i < falling.size(); ++i) falls = falls && falling[i] < falling[i - 1];
        std::printf("  forward time falls as tokens fall: %s\n\n", falls ? "yes" : "NO");
    };
    for (const auto& r : rows) {
        if (r.config != current) {
            close_config();
            current = r.config;
            falling.clear();
            std::printf("%s%s, batch %d\n  tokens  iters   runtime ms  spread   pytorch ms  spread   ratio  ratio spread\n",
                        r.config->model.c_str(), r.config->model == "fmnist_vit8" ? " (shipped)" : " (random weights)",
                        r.config->batch);
        }
        const double ours = median(r.ours.ms);
        falling.push_back(ours);
        if (r.theirs.ms.empty())
            std::printf("  %6d  %5d  %11.3f  %5.1f%%\n", r.n, r.iterations, ours, 100 * spread(r.ours.ms));
        else
            std::printf("  %6d  %5d  %11.3f  %5.1f%%  %11.3f  %5.1f%%  %5.3fx  %5.1f%%\n", r.n, r.iterations, ours,
                        100 * spread(r.ours.ms), median(r.theirs.ms), 100 * spread(r.theirs.ms), median(r.ratios),
                        100 * spread(r.ratios));
        if (detail && !r.ratios.empty() && r.ours.ms.size() == r.theirs.ms.size()) {
            std::printf("          rounds:");
            for (size_t i = 0; i < r.ratios.size(); ++i) std::printf(" %.2f/%.2f", r.ours.ms[i], r.theirs.ms[i]);
            std::printf(" ms\n");
        }
    }
    close_config();
    std::printf("load average at end %.2f; %.0f s\n", tp::platform::load_average().value_or(-1), ms_since(started) / 1000);
    const CpuThreads after = cpu_threads_in_effect();
    if (after.intra_op != in_effect.intra_op || after.blas != in_effect.blas)
        std::printf("WARNING: thread counts changed during the run: %s\n", describe(after).c_str());
    return 0;
}
