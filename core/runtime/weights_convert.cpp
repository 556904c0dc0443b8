#include "core/runtime/weights_convert.h"

#include <filesystem>

#include "core/formats/model_card.h"
#include "core/runtime/vit_weights.h"
#include "core/util/format_error.h"

namespace tp::runtime {

ConvertReport convert_weights(const std::string& weights_path, formats::TensorDtype dtype, const std::string& out_dir) {
    namespace fs = std::filesystem;
    const auto source = formats::SafetensorsFile::read(weights_path);
    fs::create_directories(out_dir);
    const fs::path target = fs::path(out_dir) / fs::path(weights_path).filename();
    if (fs::exists(target) && fs::equivalent(target, weights_path))
        throw FormatError(target.string(), "converting into the source's own folder would overwrite it; choose another --out");

    ConvertReport report;
    std::vector<torch::Tensor> keep;
    std::vector<formats::TensorToWrite> out;
    for (const auto& [name, entry] : source.tensors()) {
        auto t = stored_as(tensor_of(source, entry), dtype, source.where() + ": tensor '" + name + "'");
        keep.push_back(t);
        out.push_back({name, dtype, entry.shape, t.data_ptr()});
        report.bytes_before += entry.end - entry.begin;
        report.bytes_after += static_cast<size_t>(t.numel()) * formats::dtype_size(dtype);
    }
    report.tensors = out.size();
    report.weights_path = target.string();
    formats::write_safetensors(report.weights_path, out, source.metadata());

    const std::string card_in = formats::card_path_for(weights_path);
    if (fs::exists(card_in)) {
        auto card = formats::read_model_card(card_in);
        card.weights_file = target.filename().string();
        card.weights_dtype = dtype == formats::TensorDtype::F32 ? "" : formats::dtype_name(dtype);
        report.card_path = formats::card_path_for(report.weights_path);
        formats::write_model_card(report.card_path, card);
    }
    return report;
}

}  // namespace tp::runtime
