#include "core/runtime/pruning/schedule_runner.h"

#include <algorithm>

#include "core/util/format_error.h"
#include "core/model/method_rules.h"
#include "core/data/input_pipeline.h"
#include "core/formats/model_card.h"
#include "core/data/image_files.h"
#include "core/runtime/pruning/reducer_factory.h"
#include "core/formats/safetensors.h"
#include "core/runtime/vit.h"
#include "core/runtime/vit_weights.h"

namespace tp::runtime {
namespace {

Schedule with_method(const RunOptions& options) {
    Schedule s = options.schedule;
    if (!options.method.empty() && options.method != s.method) {
        s.method = options.method;
        s.parameters.clear();  // parameters belong to the schedule's own method
    }
    return s;
}

void check_fits(const Schedule& s, const formats::ModelCard& card, const std::string& card_path) {
    if (s.depth() != card.architecture.depth || s.input_tokens() != card.architecture.tokens)
        throw FormatError("schedule", "is for " + std::to_string(s.depth()) + " blocks and " +
                                          std::to_string(s.input_tokens()) + " tokens, but " + card_path +
                                          " describes " + std::to_string(card.architecture.depth) + " blocks and " +
                                          std::to_string(card.architecture.tokens) + " tokens");
    validate_for_method(s);
}

}  // namespace

Schedule effective_schedule(const RunOptions& options) {
    const std::string card_path = formats::card_path_for(options.weights);
    const formats::ModelCard card = formats::read_model_card(card_path);
    Schedule s = with_method(options);
    check_fits(s, card, card_path);
    return s;
}

std::vector<Prediction> run_schedule(const RunOptions& options, const std::vector<std::string>& images) {
    if (options.batch < 1) throw FormatError("--batch", "must be at least 1");
    const std::string card_path = formats::card_path_for(options.weights);
    const formats::ModelCard card = formats::read_model_card(card_path);
    const Schedule schedule = with_method(options);
    check_fits(schedule, card, card_path);

    const auto& arch = card.architecture;
    VisionTransformer model(arch);
    load_weights(model, formats::SafetensorsFile::read(options.weights), card_path);
    model->eval();
    auto reducer = make_reducer(schedule.method, schedule.parameters, arch.depth);
    const int top = std::clamp(options.top, 1, arch.num_classes);
    const std::size_t pixels = static_cast<std::size_t>(arch.channels) * arch.image_size * arch.image_size;

    torch::InferenceMode inference;
    std::vector<Prediction> out;
    for (std::size_t first = 0; first < images.size(); first += static_cast<std::size_t>(options.batch)) {
        const std::size_t count = std::min(images.size() - first, static_cast<std::size_t>(options.batch));
        auto batch = torch::empty({static_cast<int64_t>(count), arch.channels, arch.image_size, arch.image_size});
        for (std::size_t i = 0; i < count; ++i) {
            const std::string& path = images[first + i];
            const data::RawImage image = data::read_image_file(path);  // names the file when it fails
            try {
                data::apply_pipeline(card.input_pipeline, image, arch.channels, arch.image_size,
                               batch.data_ptr<float>() + i * pixels);
            } catch (const FormatError& e) {
                throw FormatError(path, e.what());  // e.g. an RGB image for a grayscale model
            }
        }
        const auto logits = model->forward(batch, schedule.tokens_after_block, reducer.get());
        const auto [probabilities, classes] = torch::softmax(logits, -1).topk(top, -1);
        for (std::size_t i = 0; i < count; ++i) {
            Prediction p;
            p.image = images[first + i];
            for (int k = 0; k < top; ++k) {
                const int c = static_cast<int>(classes[static_cast<int64_t>(i)][k].item<int64_t>());
                p.classes.push_back(c);
                p.probabilities.push_back(probabilities[static_cast<int64_t>(i)][k].item<double>());
                p.names.push_back(c < static_cast<int>(card.data.classes.size()) ? card.data.classes[static_cast<std::size_t>(c)]
                                                                                 : std::to_string(c));
            }
            out.push_back(std::move(p));
        }
    }
    return out;
}

}  // namespace tp::runtime
