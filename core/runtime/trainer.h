#pragma once
// Torch-free facade: trains a ViT on Fashion-MNIST (AdamW, warmup + cosine learning rate, light
// augmentation, seeded, checkpoint/resume) on the CPU or a CUDA device, optionally with mixed
// precision, and writes timm-named safetensors plus a model card.
#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/formats/model_card.h"
#include "core/formats/safetensors.h"
#include "core/model/device.h"

namespace tp::runtime {

struct TrainOptions {
    std::string out_dir;                 // weights, card and checkpoint go here
    std::string name = "fmnist_vit8";    // files: NAME.safetensors, NAME.card.json
    ModelInfo architecture;              // image 28, channels 1, classes 10 for Fashion-MNIST
    std::string data_dir;                // Fashion-MNIST IDX files
    // Where the model and the whole dataset (as uint8 tensors) live; augmentation runs there.
    std::string device = "cpu";          // cpu | cuda | cuda:N
    // fp32, or autocast with fp32 master weights: bf16 (CPU or CUDA), fp16 (CUDA only; with
    // dynamic loss scaling).
    std::string precision = "fp32";
    int epochs = 10;
    int batch = 128;
    double lr = 1e-3;
    double weight_decay = 0.05;
    double warmup_epochs = 1;
    double label_smoothing = 0;          // cross-entropy label smoothing (0 = off)
    bool hflip = true;                   // augmentation: horizontal flip (p = 0.5)
    int translate = 2;                   // augmentation: random shift of up to this many pixels
    uint64_t seed = 0;
    int holdout = 5000;                  // stratified holdout taken out of the training split
    uint64_t holdout_seed = 0;
    int limit_train = 0;                 // >0: train on a stratified subset of this size (smoke runs)
    int threads = 1;
    bool resume = false;                 // continue from OUT/NAME.checkpoint.*
    // >0: after epoch 1 (which must be warmup, so it does not depend on the total), keep only as
    // many of `epochs` as fit in this many seconds (at least 1). The choice is checkpointed.
    double time_budget_s = 0;
    // >0: stop after this many epochs of this run, keeping the checkpoint (resume continues).
    int epochs_this_run = 0;
    formats::TensorDtype save_dtype = formats::TensorDtype::F32;  // storage dtype of the written weights
    // Start from these weights (a second cosine cycle, i.e. a warm restart) instead of timm's
    // init. Its card's training (epochs, time, command) is recorded in init_from and its time is
    // added to time_s. The holdout must be the same one (same size and seed): checked.
    std::string init_weights;
    std::string command;                 // recorded in the card
};

struct TrainReport {
    formats::ModelCard card;
    std::string weights_path, card_path;
    bool cancelled = false;
    bool stopped = false;                // epochs_this_run reached: checkpoint only, no weights yet
};

using TrainLog = std::function<void(const std::string& line)>;

// Fashion-MNIST input pipeline of the trained models: to_float(/255), normalize(mean, std).
std::vector<formats::PipelineStep> fashion_mnist_pipeline();

// Runs the training; logs progress lines through `log`. Checkpoints after every epoch; on cancel,
// stops after the current batch, keeps the last checkpoint and returns cancelled = true.
TrainReport train_fashion_mnist(const TrainOptions& options, const TrainLog& log,
                                const std::atomic<bool>* cancel = nullptr);

}  // namespace tp::runtime
