// bench_runtime_vs_pytorch: this runtime's ViT forward against eager PyTorch (Debian's
// python3-torch running scripts/bench_pytorch_vit.py) on the same weights, the same batch and one
// thread each, in one run; and the forward's time as the token count falls.
//   cmake --build build --target bench_runtime_vs_pytorch
//   build/tests/runtime/bench_runtime_vs_pytorch [ITERATIONS=20] [ROUNDS=3]
#include <algorithm>
#include <chrono>
#include <cstdio>

#include <QCoreApplication>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>

#include <torch/torch.h>

#include "core/runtime/malloc_tuning.h"
#include "core/formats/model_card.h"
#include "core/formats/safetensors.h"
#include "core/runtime/vit.h"
#include "core/formats/vit_config.h"
#include "core/runtime/vit_weights.h"
#include "core/util/median.h"

using namespace tp::runtime;

namespace {

struct Case {
    std::string name;
    tp::ModelInfo arch;
    std::string weights;  // empty: random weights saved to a temporary file
    int batch;
    std::vector<int> tokens;
};

using tp::median;  // core/util/median.h

double median_ms(VisionTransformer& model, const torch::Tensor& images, int n, int iterations) {
    c10::InferenceMode guard;
    for (int i = 0; i < 3; ++i) model->forward_at(images, n);
    std::vector<double> t;
    for (int i = 0; i < iterations; ++i) {
        const auto start = std::chrono::steady_clock::now();
        model->forward_at(images, n);
        t.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    }
    return median(t);
}

QJsonObject pytorch_ms(const std::string& weights, const Case& c, int iterations) {
    QStringList tokens;
    for (int n : c.tokens) tokens << QString::number(n);
    QProcess p;
    auto env = QProcessEnvironment::systemEnvironment();
    env.insert("OMP_NUM_THREADS", "1");
    env.insert("OPENBLAS_NUM_THREADS", "1");
    // The same malloc settings keep_freed_memory_for_reuse() gives this process.
    env.insert("GLIBC_TUNABLES", "glibc.malloc.mmap_threshold=268435456:glibc.malloc.trim_threshold=268435456");
    p.setProcessEnvironment(env);
    p.start("/usr/bin/python3", {QString(TAILPRUNE_SOURCE_DIR) + "/scripts/bench_pytorch_vit.py", "--weights",
                                 QString::fromStdString(weights), "--heads", QString::number(c.arch.heads), "--batch",
                                 QString::number(c.batch), "--threads", "1", "--tokens", tokens.join(","),
                                 "--iterations", QString::number(iterations)});
    if (!p.waitForFinished(600000) || p.exitCode() != 0) {
        std::fprintf(stderr, "python3 failed: %s\n", p.readAllStandardError().constData());
        return {};
    }
    return QJsonDocument::fromJson(p.readAllStandardOutput()).object();
}

}  // namespace

int main(int argc, char** argv) {
    QCoreApplication app(argc, argv);
    keep_freed_memory_for_reuse();
    torch::set_num_threads(1);
    torch::manual_seed(0);
    const int iterations = argc > 1 ? std::max(1, std::atoi(argv[1])) : 20;
    const int rounds = argc > 2 ? std::max(1, std::atoi(argv[2])) : 3;
    QTemporaryDir dir;

    std::vector<Case> cases;
    cases.push_back({"deit_tiny_patch16_224 (random weights)", tp::formats::vit_preset("deit_tiny_patch16_224"), "", 1,
                     {197, 148, 99, 50, 25}});
    const std::string shipped = std::string(TAILPRUNE_SOURCE_DIR) + "/resources/models/fmnist_vit8/fmnist_vit8.safetensors";
    try {
        cases.push_back({"fmnist_vit8 (shipped)", tp::formats::read_model_card(tp::formats::card_path_for(shipped)).architecture, shipped, 64,
                         {50, 38, 26, 14}});
    } catch (const std::exception& e) {
        std::fprintf(stderr, "skipping the shipped model: %s\n", e.what());
    }

    std::printf("LibTorch %s, 1 thread, %d timed iterations per round (median); PyTorch eager via /usr/bin/python3\n\n",
                TORCH_VERSION, iterations);
    for (auto& c : cases) {
        VisionTransformer model(c.arch);
        model->eval();
        std::string weights = c.weights;
        if (weights.empty()) {
            weights = dir.filePath("random.safetensors").toStdString();
            save_weights(model, weights);
        } else {
            load_weights(model, tp::formats::SafetensorsFile::read(weights));
        }
        const auto images = torch::randn({c.batch, c.arch.channels, c.arch.image_size, c.arch.image_size});
        // Alternate rounds of both sides so load changes on the shared machine hit both alike;
        // each figure is the median over rounds of per-round medians.
        std::vector<std::vector<double>> ours(c.tokens.size()), theirs(c.tokens.size());
        for (int round = 0; round < rounds; ++round) {
            for (size_t i = 0; i < c.tokens.size(); ++i) ours[i].push_back(median_ms(model, images, c.tokens[i], iterations));
            const auto py = pytorch_ms(weights, c, iterations);
            for (size_t i = 0; i < c.tokens.size(); ++i)
                theirs[i].push_back(py["ms"].toObject()[QString::number(c.tokens[i])].toDouble());
        }
        std::printf("%s, batch %d, %d rounds\n  tokens   runtime ms   pytorch ms   ratio\n", c.name.c_str(), c.batch, rounds);
        std::vector<double> ours_ms;
        for (size_t i = 0; i < c.tokens.size(); ++i) {
            ours_ms.push_back(median(ours[i]));
            const double py_ms = median(theirs[i]);
            std::printf("  %6d   %10.3f   %10.3f   %5.3fx\n", c.tokens[i], ours_ms.back(), py_ms,
                        py_ms > 0 ? ours_ms.back() / py_ms : 0.0);
        }
        bool falls = true;
        for (size_t i = 1; i < c.tokens.size(); ++i) falls = falls && ours_ms[i] < ours_ms[i - 1];
        std::printf("  forward time falls as tokens fall: %s\n\n", falls ? "yes" : "NO");
    }
    return 0;
}
