#include "core/runtime/trainer.h"

#include <chrono>
#include <cmath>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/data/fashion_mnist.h"
#include "core/runtime/cpu_threads.h"
#include "core/data/subsets.h"
#include "core/formats/safetensors.h"
#include "core/formats/vit_config.h"
#include "core/util/format_error.h"
#include "core/runtime/grad_scaler.h"
#include "core/runtime/torch_compat.h"
#include "core/runtime/torch_info.h"
#include "core/runtime/training_images.h"
#include "core/runtime/vit.h"
#include "core/runtime/vit_weights.h"
#include "core/util/file_io.h"
#include "core/util/utc_time.h"
#if TAILPRUNE_HAS_CUDA
#include "core/runtime/cuda/cuda_device_facts.h"
#endif

namespace tp::runtime {
namespace {

// Fashion-MNIST training-split statistics (pixel mean and std over all 60,000 images / 255).
constexpr double kMean = 0.2860;
constexpr double kStd = 0.3530;
constexpr int kEvalBatch = 250;

double learning_rate(const TrainOptions& o, int epochs, long step, long steps_per_epoch) {
    const double warmup = o.warmup_epochs * steps_per_epoch;
    const double total = static_cast<double>(epochs) * steps_per_epoch;
    if (step < warmup) return o.lr * (step + 1) / warmup;
    const double progress = (step - warmup) / std::max(1.0, total - warmup);
    const double min_lr = o.lr * 0.01;
    return min_lr + 0.5 * (o.lr - min_lr) * (1 + std::cos(M_PI * progress));
}

// What a checkpoint must agree on to be continued. The device is not part of it: a run may
// continue elsewhere (the checkpoint is loaded onto the new device).
nlohmann::json options_identity(const TrainOptions& o) {
    const auto& a = o.architecture;
    return {{"depth", a.depth}, {"embed_dim", a.embed_dim}, {"heads", a.heads}, {"mlp_ratio_x100", a.mlp_ratio_x100},
            {"patch", a.patch}, {"epochs", o.epochs}, {"batch", o.batch}, {"lr", o.lr},
            {"weight_decay", o.weight_decay}, {"warmup_epochs", o.warmup_epochs}, {"hflip", o.hflip},
            {"translate", o.translate}, {"seed", o.seed}, {"holdout", o.holdout}, {"holdout_seed", o.holdout_seed},
            {"limit_train", o.limit_train}, {"init_weights", o.init_weights}, {"precision", o.precision},
            {"label_smoothing", o.label_smoothing}, {"time_budget_s", o.time_budget_s}};
}

struct Precision {
    bool autocast = false;
    torch::ScalarType dtype = torch::kFloat32;
    bool loss_scaling = false;
    std::string card_text;  // fp32 | bf16-autocast | fp16-autocast+loss-scaling
};

Precision parse_precision(const std::string& text, const torch::Device& device) {
    if (text == "fp32") return {false, torch::kFloat32, false, "fp32"};
    if (text == "bf16") return {true, torch::kBFloat16, false, "bf16-autocast"};
    if (text == "fp16") {
        if (!device.is_cuda())
            throw FormatError("--precision", "fp16 autocast needs a CUDA device (on the CPU use bf16)");
        return {true, torch::kFloat16, true, "fp16-autocast+loss-scaling"};
    }
    throw FormatError("--precision", "'" + text + "' is not fp32, bf16 or fp16");
}

torch::Device parse_training_device(const std::string& text) {
    if (text == "cpu") return torch::kCPU;
    if (text.rfind("cuda", 0) != 0) throw FormatError("--device", "'" + text + "' is not cpu, cuda or cuda:N");
    int index = 0;
    if (text.size() > 4) {
        if (text[4] != ':' || text.size() == 5 || text.find_first_not_of("0123456789", 5) != std::string::npos)
            throw FormatError("--device", "'" + text + "' is not cpu, cuda or cuda:N");
        index = std::stoi(text.substr(5));
    }
    const auto count = static_cast<int>(torch::cuda::device_count());
    if (count == 0)
        throw FormatError("--device", "this machine (LibTorch " + torch_version() + ") has no CUDA device");
    if (index >= count)
        throw FormatError("--device", "CUDA device " + std::to_string(index) + " asked for, but there are only " +
                                          std::to_string(count) + " CUDA device(s)");
    return torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(index));
}

std::string device_description(const torch::Device& device) {
    if (!device.is_cuda()) return "cpu";
#if TAILPRUNE_HAS_CUDA
    return "cuda (" + cuda_device_facts(device.index() < 0 ? 0 : device.index()).name + ")";
#else
    return "cuda";
#endif
}

struct Counts {
    long images = 0, top1 = 0, top5 = 0;
    double rate() const { return images ? static_cast<double>(top1) / images : 0; }
};

// Top-1/top-5 over a whole image set held on the device, in batches.
Counts count_correct(VisionTransformer& model, const TrainingImages& images, const Precision& precision,
                     const torch::Device& device) {
    torch::NoGradGuard no_grad;
    model->eval();
    auto top1 = torch::zeros({}, torch::TensorOptions().dtype(torch::kLong).device(device));
    auto top5 = top1.clone();
    for (size_t first = 0; first < images.size(); first += kEvalBatch) {
        const size_t count = std::min<size_t>(kEvalBatch, images.size() - first);
        auto [x, y] = images.plain(first, count);
        torch::Tensor logits;
        {
            compat::AutocastScope autocast(device.type(), precision.dtype, precision.autocast);
            logits = model->forward(x);
        }
        const auto best = std::get<1>(logits.topk(std::min<int64_t>(5, logits.size(1)), 1));
        const auto hit = best.eq(y.unsqueeze(1));
        top1 += hit.select(1, 0).sum();
        top5 += hit.any(1).sum();
    }
    model->train();
    return {static_cast<long>(images.size()), top1.item<long>(), top5.item<long>()};
}

struct Checkpoint {
    std::filesystem::path model, optimizer, meta;
};

}  // namespace

std::vector<formats::PipelineStep> fashion_mnist_pipeline() {
    formats::PipelineStep to_float{"to_float"};
    to_float.divide_by = 255;
    formats::PipelineStep normalize{"normalize"};
    normalize.mean = {kMean};
    normalize.std = {kStd};
    return {to_float, normalize};
}

TrainReport train_fashion_mnist(const TrainOptions& o, const TrainLog& log, const std::atomic<bool>* cancel) {
    namespace fs = std::filesystem;
    if (o.out_dir.empty()) throw FormatError("--out", "no output folder given");
    if (o.epochs < 1 || o.batch < 1) throw FormatError("training", "epochs and batch must be positive");
    if (o.time_budget_s > 0 && o.warmup_epochs < 1)
        throw FormatError("--time-budget", "needs --warmup-epochs >= 1 (epoch 1 is timed before the number of epochs, "
                                           "which shapes the cosine schedule, is fixed)");
    const torch::Device device = parse_training_device(o.device);
    const Precision precision = parse_precision(o.precision, device);
    fs::create_directories(o.out_dir);
    use_cpu_threads(std::max(1, o.threads));
    torch::manual_seed(o.seed);  // every device's generator: the init below is drawn on the CPU

    ModelInfo arch = o.architecture;
    arch.name = o.name;
    if (arch.image_size != 28 || arch.channels != 1 || arch.num_classes != 10)
        throw FormatError("architecture", "Fashion-MNIST needs image 28, 1 channel, 10 classes");
    VisionTransformer model(arch);
    arch = model->info();

    std::string init_from;
    double init_time = 0;
    if (!o.init_weights.empty()) {
        load_weights(model, formats::SafetensorsFile::read(o.init_weights), "the model being trained");
        const std::string init_card = formats::card_path_for(o.init_weights);
        if (fs::exists(init_card)) {
            const auto prior = formats::read_model_card(init_card);
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
    model->to(device);

    const std::string dir = o.data_dir.empty() ? data::default_fashion_mnist_dir() : o.data_dir;
    const auto train_set = data::FashionMnist::load(dir, "train");
    const auto test_set = data::FashionMnist::load(dir, "test");
    const auto split = data::split_holdout(train_set.labels(), static_cast<size_t>(o.holdout), o.holdout_seed);
    std::vector<size_t> train_idx = split.train;
    if (o.limit_train > 0 && static_cast<size_t>(o.limit_train) < train_idx.size()) {
        std::vector<int> sub_labels;
        for (auto i : train_idx) sub_labels.push_back(train_set.label(i));
        std::vector<size_t> picked;
        for (auto j : data::stratified_subset(sub_labels, static_cast<size_t>(o.limit_train), o.seed)) picked.push_back(train_idx[j]);
        train_idx = picked;
    }
    std::vector<size_t> all_test(test_set.size());
    for (size_t i = 0; i < all_test.size(); ++i) all_test[i] = i;
    const Normalisation norm{255, kMean, kStd};
    const TrainingImages train_images(train_set, train_idx, device, norm);
    const TrainingImages holdout_images(train_set, split.holdout, device, norm);
    const TrainingImages test_images(test_set, all_test, device, norm);
    const Augmentation augmentation{o.hflip, o.translate};

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
    const auto parameters = model->parameters();

    const Checkpoint ckpt{fs::path(o.out_dir) / (o.name + ".checkpoint_model.pt"),
                          fs::path(o.out_dir) / (o.name + ".checkpoint_optim.pt"),
                          fs::path(o.out_dir) / (o.name + ".checkpoint.json")};
    int start_epoch = 0;
    int epochs = o.epochs;  // the planned count: --time-budget may lower it after epoch 1
    double previous_time = 0;
    GradScalerState scaler_state;
    if (o.resume && fs::exists(ckpt.meta)) {
        std::ifstream in(ckpt.meta);
        nlohmann::json meta = nlohmann::json::parse(in, nullptr, false);
        if (meta.is_discarded()) throw FormatError(ckpt.meta.string(), "checkpoint metadata is not valid JSON");
        if (meta.value("options", nlohmann::json{}) != options_identity(o))
            throw FormatError(ckpt.meta.string(), "checkpoint was made with different options: " +
                                                      meta.value("options", nlohmann::json{}).dump());
        torch::load(model, ckpt.model.string(), device);
        torch::load(optimizer, ckpt.optimizer.string(), device);
        start_epoch = meta.at("epochs_done").get<int>();
        epochs = meta.value("planned_epochs", o.epochs);
        previous_time = meta.at("time_s").get<double>();
        scaler_state.scale = meta.value("loss_scale", scaler_state.scale);
        scaler_state.clean_steps = meta.value("loss_scale_clean_steps", 0);
        log("resuming after epoch " + std::to_string(start_epoch) + " of " + std::to_string(epochs) + " (" +
            std::to_string(static_cast<int>(previous_time)) + " s so far)");
    }
    GradScaler scaler(precision.loss_scaling, scaler_state);

    const long steps_per_epoch = static_cast<long>((train_idx.size() + o.batch - 1) / o.batch);
    const auto started = std::chrono::steady_clock::now();
    auto elapsed = [&] {
        return previous_time + std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    };
    TrainReport report;
    {
        std::ostringstream s;
        s << "training " << o.name << ": depth " << arch.depth << ", dim " << arch.embed_dim << ", " << arch.heads
          << " heads, patch " << arch.patch << ", " << arch.tokens << " tokens; " << train_idx.size() << " images, "
          << split.holdout.size() << " held out; " << epochs << " epochs of " << steps_per_epoch << " steps on "
          << device_description(device) << ", " << precision.card_text;
        log(s.str());
    }
    model->train();
    for (int epoch = start_epoch; epoch < epochs; ++epoch) {
        const auto order = data::seeded_permutation(train_idx.size(), o.seed * 7919ULL + static_cast<uint64_t>(epoch));
        std::mt19937_64 rng(o.seed * 104729ULL + static_cast<uint64_t>(epoch));
        // Sums stay on the device; reading them (a synchronisation) happens only when logging.
        auto loss_sum = torch::zeros({}, torch::TensorOptions().dtype(torch::kDouble).device(device));
        auto correct = torch::zeros({}, torch::TensorOptions().dtype(torch::kLong).device(device));
        long seen = 0, skipped = 0;
        const long timed_from = steps_per_epoch / 5;  // epoch-1 timing skips the first steps (warm-up of kernels)
        double timed_start = 0;
        const auto epoch_started = std::chrono::steady_clock::now();
        for (long step = 0; step < steps_per_epoch; ++step) {
            if (cancel && cancel->load()) {
                report.cancelled = true;
                log("cancelled; the last checkpoint is kept");
                return report;
            }
            if (step == timed_from) {
                loss_sum.item<double>();  // waits for the device: the clock then sees finished work
                timed_start = elapsed();
            }
            const size_t first = static_cast<size_t>(step) * o.batch;
            const size_t count = std::min(static_cast<size_t>(o.batch), train_idx.size() - first);
            auto [x, y] = train_images.batch(order, first, count, augmentation, rng);
            const double lr = learning_rate(o, epochs, epoch * steps_per_epoch + step, steps_per_epoch);
            for (auto& group : optimizer.param_groups())
                static_cast<torch::optim::AdamWOptions&>(group.options()).lr(lr);
            optimizer.zero_grad();
            torch::Tensor logits;
            {
                compat::AutocastScope autocast(device.type(), precision.dtype, precision.autocast);
                logits = model->forward(x);
            }
            auto loss = torch::nn::functional::cross_entropy(
                logits.to(torch::kFloat32), y,
                torch::nn::functional::CrossEntropyFuncOptions().label_smoothing(o.label_smoothing));
            scaler.scale(loss).backward();
            const bool finite = scaler.unscale(parameters);
            if (finite) {
                torch::nn::utils::clip_grad_norm_(parameters, 1.0);
                optimizer.step();
            } else {
                ++skipped;
            }
            scaler.update(finite);
            {
                torch::NoGradGuard no_grad;
                loss_sum += loss.detach().to(torch::kDouble) * static_cast<double>(count);
                correct += logits.argmax(1).eq(y).sum();
            }
            seen += static_cast<long>(count);
            if ((step + 1) % 50 == 0 || step + 1 == steps_per_epoch) {
                std::ostringstream s;
                s.precision(4);
                s << "epoch " << epoch + 1 << "/" << epochs << " step " << step + 1 << "/" << steps_per_epoch << " loss "
                  << loss_sum.item<double>() / seen << " train-acc " << static_cast<double>(correct.item<long>()) / seen
                  << " lr " << lr;
                if (scaler.enabled()) s << " loss-scale " << scaler.state().scale << " skipped " << skipped;
                s << " elapsed " << static_cast<int>(elapsed()) << " s";
                log(s.str());
            }
        }
        const double train_loss = loss_sum.item<double>() / std::max(1L, seen);  // also waits for the device
        const double trained_until = elapsed();
        const auto hold = count_correct(model, holdout_images, precision, device);
        if (epoch == 0 && start_epoch == 0 && o.time_budget_s > 0) {
            // Epoch 1 was all warmup (checked above), so choosing the count now changes nothing in it.
            const double steady = (trained_until - timed_start) * steps_per_epoch / std::max(1L, steps_per_epoch - timed_from);
            const double per_epoch = steady + (elapsed() - trained_until);
            const int fit = static_cast<int>(o.time_budget_s / std::max(1e-9, per_epoch));
            epochs = std::max(1, std::min(o.epochs, fit));
            std::ostringstream s;
            s.precision(3);
            s << "time budget " << o.time_budget_s << " s: an epoch takes ~" << per_epoch << " s (epoch 1: "
              << std::chrono::duration<double>(std::chrono::steady_clock::now() - epoch_started).count() << " s) -> "
              << epochs << " of " << o.epochs << " epochs";
            log(s.str());
        }
        torch::save(model, ckpt.model.string());
        torch::save(optimizer, ckpt.optimizer.string());
        {
            nlohmann::json meta{{"epochs_done", epoch + 1},      {"planned_epochs", epochs},
                                {"time_s", elapsed()},           {"options", options_identity(o)},
                                {"holdout_top1", hold.rate()},   {"train_loss", train_loss},
                                {"loss_scale", scaler.state().scale},
                                {"loss_scale_clean_steps", scaler.state().clean_steps}};
            write_text_file_atomically(ckpt.meta.string(), meta.dump(2) + "\n");
        }
        {
            std::ostringstream s;
            s.precision(6);
            s << "epoch " << epoch + 1 << " done: train loss " << train_loss << ", holdout top-1 " << hold.rate() << " ("
              << hold.images << " images), " << static_cast<int>(elapsed()) << " s";
            log(s.str());
        }
        if (o.epochs_this_run > 0 && epoch + 1 - start_epoch >= o.epochs_this_run && epoch + 1 < epochs) {
            log("stopped after epoch " + std::to_string(epoch + 1) + " of " + std::to_string(epochs) +
                "; continue with --resume");
            report.stopped = true;
            return report;
        }
    }

    // The card's figures are measured in fp32, as `tailprune evaluate` measures on the CPU.
    const double train_time = elapsed();
    const Precision fp32 = parse_precision("fp32", device);
    const auto hold = count_correct(model, holdout_images, fp32, device);
    const auto test = count_correct(model, test_images, fp32, device);

    formats::ModelCard& card = report.card;
    card.name = o.name;
    card.architecture = arch;
    card.input_pipeline = fashion_mnist_pipeline();
    card.data.dataset = "fashion-mnist";
    card.data.source = dir;
    card.data.train_images = static_cast<int>(train_idx.size());
    card.data.holdout_images = static_cast<int>(split.holdout.size());
    card.data.holdout_seed = o.holdout_seed;
    card.data.classes = train_set.class_names();
    formats::CardTraining t;
    t.epochs = epochs;
    t.batch = o.batch;
    t.optimizer = "adamw";
    t.lr = o.lr;
    t.weight_decay = o.weight_decay;
    t.warmup_epochs = o.warmup_epochs;
    t.lr_schedule = "cosine";
    if (o.hflip) t.augmentation.push_back("hflip(p=0.5)");
    if (o.translate) t.augmentation.push_back("translate(+-" + std::to_string(o.translate) + "px, zero fill)");
    t.label_smoothing = o.label_smoothing;
    t.seed = o.seed;
    t.threads = o.threads;
    t.time_s = train_time + init_time;
    t.init_from = init_from;
    t.device = device_description(device);
    t.precision = precision.card_text;
    t.torch_version = torch_version();
    t.command = o.command;
    card.training = t;
    formats::CardResults r;
    r.holdout_top1 = hold.rate();
    r.holdout_images = static_cast<int>(hold.images);
    r.test_top1 = test.rate();
    r.test_top5 = static_cast<double>(test.top5) / test.images;
    r.test_images = static_cast<int>(test.images);
    card.results = r;
    card.weights_file = o.name + ".safetensors";
    card.weights_dtype = o.save_dtype == formats::TensorDtype::F32 ? "" : formats::dtype_name(o.save_dtype);
    card.created = iso8601_utc_now();
    report.weights_path = (fs::path(o.out_dir) / card.weights_file).string();
    report.card_path = formats::card_path_for(report.weights_path);
    save_weights(model, report.weights_path, {{"format", "pt"}, {"producer", "tailprune train"}}, o.save_dtype);
    formats::write_model_card(report.card_path, card);
    std::ostringstream s;
    s << "done in " << static_cast<int>(train_time) << " s: holdout top-1 " << r.holdout_top1 << ", test top-1 "
      << r.test_top1 << ", top-5 " << r.test_top5;
    log(s.str());
    return report;
}

}  // namespace tp::runtime
