#include "core/runtime/trainer.h"

#include <chrono>
#include <cmath>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/model/format_error.h"
#include "core/runtime/evaluator.h"
#include "core/runtime/fashion_mnist.h"
#include "core/runtime/input_pipeline.h"
#include "core/runtime/safetensors.h"
#include "core/runtime/subsets.h"
#include "core/runtime/torch_info.h"
#include "core/runtime/vit.h"
#include "core/runtime/vit_config.h"
#include "core/runtime/vit_weights.h"

namespace tp::runtime {
namespace {

// Fashion-MNIST training-split statistics (pixel mean and std over all 60,000 images / 255).
constexpr double kMean = 0.2860;
constexpr double kStd = 0.3530;

std::string now_iso() {
    std::time_t t = std::time(nullptr);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
    return buf;
}

// Flip and shift (zero fill) a 28x28 image in place.
void augment(RawImage& img, bool flip, int dx, int dy) {
    RawImage out = img;
    std::fill(out.pixels.begin(), out.pixels.end(), 0);
    for (int y = 0; y < img.height; ++y) {
        const int sy = y - dy;
        if (sy < 0 || sy >= img.height) continue;
        for (int x = 0; x < img.width; ++x) {
            int sx = x - dx;
            if (sx < 0 || sx >= img.width) continue;
            if (flip) sx = img.width - 1 - sx;
            out.pixels[static_cast<size_t>(y) * img.width + x] = img.pixels[static_cast<size_t>(sy) * img.width + sx];
        }
    }
    img = std::move(out);
}

double learning_rate(const TrainOptions& o, long step, long steps_per_epoch) {
    const double warmup = o.warmup_epochs * steps_per_epoch;
    const double total = static_cast<double>(o.epochs) * steps_per_epoch;
    if (step < warmup) return o.lr * (step + 1) / warmup;
    const double progress = (step - warmup) / std::max(1.0, total - warmup);
    const double min_lr = o.lr * 0.01;
    return min_lr + 0.5 * (o.lr - min_lr) * (1 + std::cos(M_PI * progress));
}

nlohmann::json options_identity(const TrainOptions& o) {
    const auto& a = o.architecture;
    return {{"depth", a.depth}, {"embed_dim", a.embed_dim}, {"heads", a.heads}, {"mlp_ratio_x100", a.mlp_ratio_x100},
            {"patch", a.patch}, {"epochs", o.epochs}, {"batch", o.batch}, {"lr", o.lr},
            {"weight_decay", o.weight_decay}, {"warmup_epochs", o.warmup_epochs}, {"hflip", o.hflip},
            {"translate", o.translate}, {"seed", o.seed}, {"holdout", o.holdout}, {"holdout_seed", o.holdout_seed},
            {"limit_train", o.limit_train}, {"init_weights", o.init_weights}};
}

}  // namespace

std::vector<PipelineStep> fashion_mnist_pipeline() {
    PipelineStep to_float{"to_float"};
    to_float.divide_by = 255;
    PipelineStep normalize{"normalize"};
    normalize.mean = {kMean};
    normalize.std = {kStd};
    return {to_float, normalize};
}

TrainReport train_fashion_mnist(const TrainOptions& o, const TrainLog& log, const std::atomic<bool>* cancel) {
    namespace fs = std::filesystem;
    if (o.out_dir.empty()) throw FormatError("--out", "no output folder given");
    if (o.epochs < 1 || o.batch < 1) throw FormatError("training", "epochs and batch must be positive");
    fs::create_directories(o.out_dir);
    torch::set_num_threads(std::max(1, o.threads));
    torch::manual_seed(o.seed);

    ModelInfo arch = o.architecture;
    arch.name = o.name;
    if (arch.image_size != 28 || arch.channels != 1 || arch.num_classes != 10)
        throw FormatError("architecture", "Fashion-MNIST needs image 28, 1 channel, 10 classes");
    VisionTransformer model(arch);
    arch = model->info();

    std::string init_from;
    double init_time = 0;
    if (!o.init_weights.empty()) {
        load_weights(model, SafetensorsFile::read(o.init_weights), "the model being trained");
        const std::string init_card = card_path_for(o.init_weights);
        if (fs::exists(init_card)) {
            const auto prior = read_model_card(init_card);
            if (prior.data.holdout_images != o.holdout || prior.data.holdout_seed != o.holdout_seed)
                throw FormatError(init_card, "was trained with another holdout (" +
                                                 std::to_string(prior.data.holdout_images) + " images, seed " +
                                                 std::to_string(prior.data.holdout_seed) +
                                                 "): continuing would train on held-out images");
            if (prior.training) {
                init_time = prior.training->time_s;
                init_from = fs::path(o.init_weights).filename().string() + " (" + std::to_string(prior.training->epochs) +
                            " epochs, " + std::to_string(static_cast<int>(prior.training->time_s)) + " s: " +
                            prior.training->command + (prior.training->init_from.empty() ? "" : "; from " + prior.training->init_from) + ")";
            }
        }
        if (init_from.empty()) init_from = o.init_weights;
        log("starting from " + init_from);
    }

    const std::string dir = o.data_dir.empty() ? default_fashion_mnist_dir() : o.data_dir;
    const auto train_set = FashionMnist::load(dir, "train");
    const auto test_set = FashionMnist::load(dir, "test");
    const auto split = split_holdout(train_set.labels(), static_cast<size_t>(o.holdout), o.holdout_seed);
    std::vector<size_t> train_idx = split.train;
    if (o.limit_train > 0 && static_cast<size_t>(o.limit_train) < train_idx.size()) {
        std::vector<int> sub_labels;
        for (auto i : train_idx) sub_labels.push_back(train_set.label(i));
        std::vector<size_t> picked;
        for (auto j : stratified_subset(sub_labels, static_cast<size_t>(o.limit_train), o.seed)) picked.push_back(train_idx[j]);
        train_idx = picked;
    }
    const auto pipeline = fashion_mnist_pipeline();

    // timm-style AdamW groups: no weight decay on biases, norms, pos_embed and cls_token.
    std::vector<torch::Tensor> decay, no_decay;
    for (const auto& p : model->named_parameters(true)) {
        const bool skip = p.value().dim() < 2 || p.key() == "pos_embed" || p.key() == "cls_token";
        (skip ? no_decay : decay).push_back(p.value());
    }
    std::vector<torch::optim::OptimizerParamGroup> groups;
    groups.emplace_back(decay, std::make_unique<torch::optim::AdamWOptions>(
                                   torch::optim::AdamWOptions(o.lr).weight_decay(o.weight_decay)));
    groups.emplace_back(no_decay,
                        std::make_unique<torch::optim::AdamWOptions>(torch::optim::AdamWOptions(o.lr).weight_decay(0)));
    torch::optim::AdamW optimizer(std::move(groups));

    const fs::path ckpt_model = fs::path(o.out_dir) / (o.name + ".checkpoint_model.pt");
    const fs::path ckpt_optim = fs::path(o.out_dir) / (o.name + ".checkpoint_optim.pt");
    const fs::path ckpt_meta = fs::path(o.out_dir) / (o.name + ".checkpoint.json");
    int start_epoch = 0;
    double previous_time = 0;
    if (o.resume && fs::exists(ckpt_meta)) {
        std::ifstream in(ckpt_meta);
        nlohmann::json meta = nlohmann::json::parse(in, nullptr, false);
        if (meta.is_discarded()) throw FormatError(ckpt_meta.string(), "checkpoint metadata is not valid JSON");
        if (meta.value("options", nlohmann::json{}) != options_identity(o))
            throw FormatError(ckpt_meta.string(), "checkpoint was made with different options: " +
                                                      meta.value("options", nlohmann::json{}).dump());
        torch::load(model, ckpt_model.string());
        torch::load(optimizer, ckpt_optim.string());
        start_epoch = meta.at("epochs_done").get<int>();
        previous_time = meta.at("time_s").get<double>();
        log("resuming after epoch " + std::to_string(start_epoch) + " (" + std::to_string(static_cast<int>(previous_time)) +
            " s so far)");
    }

    const long steps_per_epoch = static_cast<long>((train_idx.size() + o.batch - 1) / o.batch);
    const auto started = std::chrono::steady_clock::now();
    auto elapsed = [&] {
        return previous_time + std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    };
    auto logits_fn = [&](const torch::Tensor& x) { return model->forward(x); };
    TrainReport report;
    {
        std::ostringstream s;
        s << "training " << o.name << ": depth " << arch.depth << ", dim " << arch.embed_dim << ", " << arch.heads
          << " heads, patch " << arch.patch << ", " << arch.tokens << " tokens; " << train_idx.size() << " images, "
          << split.holdout.size() << " held out; " << o.epochs << " epochs of " << steps_per_epoch << " steps";
        log(s.str());
    }
    for (int epoch = start_epoch; epoch < o.epochs; ++epoch) {
        model->train();
        const auto order = seeded_permutation(train_idx.size(), o.seed * 7919ULL + static_cast<uint64_t>(epoch));
        std::mt19937_64 rng(o.seed * 104729ULL + static_cast<uint64_t>(epoch));
        double loss_sum = 0;
        long loss_count = 0, correct = 0, seen = 0;
        for (long step = 0; step < steps_per_epoch; ++step) {
            if (cancel && cancel->load()) {
                report.cancelled = true;
                log("cancelled; the last checkpoint is kept");
                return report;
            }
            const size_t first = static_cast<size_t>(step) * o.batch;
            const size_t count = std::min(static_cast<size_t>(o.batch), train_idx.size() - first);
            auto x = torch::empty({static_cast<int64_t>(count), 1, 28, 28});
            auto y = torch::empty({static_cast<int64_t>(count)}, torch::kLong);
            for (size_t i = 0; i < count; ++i) {
                const size_t index = train_idx[order[first + i]];
                RawImage img = train_set.image(index);
                const bool flip = o.hflip && (rng() & 1);
                const int span = 2 * o.translate + 1;
                const int dx = o.translate ? static_cast<int>(rng() % span) - o.translate : 0;
                const int dy = o.translate ? static_cast<int>(rng() % span) - o.translate : 0;
                if (flip || dx || dy) augment(img, flip, dx, dy);
                apply_pipeline(pipeline, img, 1, 28, x.data_ptr<float>() + i * 28 * 28);
                y[static_cast<int64_t>(i)] = train_set.label(index);
            }
            const double lr = learning_rate(o, epoch * steps_per_epoch + step, steps_per_epoch);
            for (auto& group : optimizer.param_groups())
                static_cast<torch::optim::AdamWOptions&>(group.options()).lr(lr);
            optimizer.zero_grad();
            auto out = model->forward(x);
            auto loss = torch::nn::functional::cross_entropy(out, y);
            loss.backward();
            torch::nn::utils::clip_grad_norm_(model->parameters(), 1.0);
            optimizer.step();
            loss_sum += loss.item<double>() * count;
            loss_count += static_cast<long>(count);
            correct += out.argmax(1).eq(y).sum().item<long>();
            seen += static_cast<long>(count);
            if ((step + 1) % 50 == 0 || step + 1 == steps_per_epoch) {
                std::ostringstream s;
                s.precision(4);
                s << "epoch " << epoch + 1 << "/" << o.epochs << " step " << step + 1 << "/" << steps_per_epoch
                  << " loss " << loss_sum / loss_count << " train-acc " << static_cast<double>(correct) / seen << " lr "
                  << lr << " elapsed " << static_cast<int>(elapsed()) << " s";
                log(s.str());
            }
        }
        model->eval();
        const auto hold = evaluate_images(logits_fn, train_set, split.holdout, pipeline, 1, 28, 250);
        torch::save(model, ckpt_model.string());
        torch::save(optimizer, ckpt_optim.string());
        {
            nlohmann::json meta{{"epochs_done", epoch + 1}, {"time_s", elapsed()}, {"options", options_identity(o)},
                                {"holdout_top1", static_cast<double>(hold.top1) / std::max(1L, hold.images)}};
            std::ofstream out(ckpt_meta.string() + ".tmp");
            out << meta.dump(2) << "\n";
            out.close();
            fs::rename(ckpt_meta.string() + ".tmp", ckpt_meta);
        }
        std::ostringstream s;
        s << "epoch " << epoch + 1 << " done: holdout top-1 " << static_cast<double>(hold.top1) / hold.images << " ("
          << hold.images << " images), " << static_cast<int>(elapsed()) << " s";
        log(s.str());
    }

    model->eval();
    const double train_time = elapsed();
    const auto hold = evaluate_images(logits_fn, train_set, split.holdout, pipeline, 1, 28, 250);
    std::vector<size_t> all_test(test_set.size());
    for (size_t i = 0; i < all_test.size(); ++i) all_test[i] = i;
    const auto test = evaluate_images(logits_fn, test_set, all_test, pipeline, 1, 28, 250);

    ModelCard& card = report.card;
    card.name = o.name;
    card.architecture = arch;
    card.input_pipeline = pipeline;
    card.data.dataset = "fashion-mnist";
    card.data.source = dir;
    card.data.train_images = static_cast<int>(train_idx.size());
    card.data.holdout_images = static_cast<int>(split.holdout.size());
    card.data.holdout_seed = o.holdout_seed;
    card.data.classes = train_set.class_names();
    CardTraining t;
    t.epochs = o.epochs;
    t.batch = o.batch;
    t.optimizer = "adamw";
    t.lr = o.lr;
    t.weight_decay = o.weight_decay;
    t.warmup_epochs = o.warmup_epochs;
    t.lr_schedule = "cosine";
    if (o.hflip) t.augmentation.push_back("hflip(p=0.5)");
    if (o.translate) t.augmentation.push_back("translate(+-" + std::to_string(o.translate) + "px, zero fill)");
    t.seed = o.seed;
    t.threads = o.threads;
    t.time_s = train_time + init_time;
    t.init_from = init_from;
    t.device = "cpu";
    t.torch_version = torch_version();
    t.command = o.command;
    card.training = t;
    CardResults r;
    r.holdout_top1 = static_cast<double>(hold.top1) / hold.images;
    r.holdout_images = static_cast<int>(hold.images);
    r.test_top1 = static_cast<double>(test.top1) / test.images;
    r.test_top5 = static_cast<double>(test.top5) / test.images;
    r.test_images = static_cast<int>(test.images);
    card.results = r;
    card.weights_file = o.name + ".safetensors";
    card.created = now_iso();
    report.weights_path = (fs::path(o.out_dir) / card.weights_file).string();
    report.card_path = card_path_for(report.weights_path);
    save_weights(model, report.weights_path, {{"format", "pt"}, {"producer", "tailprune train"}});
    write_model_card(report.card_path, card);
    std::ostringstream s;
    s << "done in " << static_cast<int>(train_time) << " s: holdout top-1 " << r.holdout_top1 << ", test top-1 "
      << r.test_top1 << ", top-5 " << r.test_top5;
    log(s.str());
    return report;
}

}  // namespace tp::runtime
