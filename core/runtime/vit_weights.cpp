#include "core/runtime/vit_weights.h"


#include <cmath>
#include <cstring>
#include <set>

#include "core/formats/vit_config.h"
#include "core/util/format_error.h"

namespace tp::runtime {
namespace {

std::string shape_text(c10::IntArrayRef shape) {
    std::string s = "[";
    for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
    return s + "]";
}

torch::ScalarType torch_dtype(formats::TensorDtype d) {
    switch (d) {
    case formats::TensorDtype::F32: return torch::kFloat32;
    case formats::TensorDtype::F16: return torch::kFloat16;
    case formats::TensorDtype::BF16: return torch::kBFloat16;
    }
    return torch::kFloat32;
}

}  // namespace

torch::Tensor tensor_of(const formats::SafetensorsFile& file, const formats::TensorEntry& e) {
    auto t = torch::empty(e.shape, torch::TensorOptions().dtype(torch_dtype(e.dtype)));
    std::memcpy(t.data_ptr(), file.data(e), e.end - e.begin);
    return t;
}

torch::Tensor stored_as(const torch::Tensor& t, formats::TensorDtype dtype, const std::string& what) {
    auto out = t.detach().to(torch::kCPU, torch_dtype(dtype)).contiguous();
    if (dtype != formats::TensorDtype::F32) {
        const auto lost = torch::isfinite(t.detach().to(torch::kCPU)) & ~torch::isfinite(out);
        if (lost.any().item<bool>())
            throw FormatError(what, "holds values beyond " + std::string(formats::dtype_name(dtype)) +
                                        "'s range (largest |x| " +
                                        std::to_string(t.detach().abs().max().item<double>()) + ")");
    }
    return out;
}

void load_weights(VisionTransformer& model, const formats::SafetensorsFile& file, const std::string& source) {
    const std::string against = source.empty() ? "the model" : source;
    auto params = model->named_parameters(/*recurse=*/true);
    std::set<std::string> expected;
    for (const auto& p : params) expected.insert(p.key());
    for (const auto& [name, _] : file.tensors())
        if (!expected.count(name))
            throw FormatError(file.where() + ": tensor '" + name + "'", "unexpected: " + against + " has no such parameter");
    torch::NoGradGuard no_grad;
    for (auto& p : params) {
        const auto& name = p.key();
        if (!file.contains(name))
            throw FormatError(file.where() + ": tensor '" + name + "'", "missing (" + against + " needs it)");
        const auto& e = file.entry(name);
        auto& param = p.value();
        if (c10::IntArrayRef(e.shape) != param.sizes())
            throw FormatError(file.where() + ": tensor '" + name + "'",
                              "has shape " + shape_text(e.shape) + " but " + against + " needs " +
                                  shape_text(param.sizes()));
        param.copy_(tensor_of(file, e).to(param.dtype()));
    }
}

void save_weights(VisionTransformer& model, const std::string& path, const std::map<std::string, std::string>& metadata,
                  formats::TensorDtype dtype) {
    std::vector<torch::Tensor> keep;
    std::vector<formats::TensorToWrite> out;
    for (const auto& p : model->named_parameters(true)) {
        auto t = stored_as(p.value(), dtype, path + ": tensor '" + p.key() + "'");
        keep.push_back(t);
        out.push_back({p.key(), dtype, t.sizes().vec(), t.data_ptr()});
    }
    formats::write_safetensors(path, out, metadata);
}

ModelInfo infer_architecture(const formats::SafetensorsFile& file, int heads) {
    const auto& proj = file.entry("patch_embed.proj.weight");   // (dim, channels, patch, patch)
    const auto& pos = file.entry("pos_embed");                  // (1, tokens, dim)
    const auto& head = file.entry("head.weight");               // (classes, dim)
    const auto& fc1 = file.entry("blocks.0.mlp.fc1.weight");    // (hidden, dim)
    if (proj.shape.size() != 4 || pos.shape.size() != 3 || head.shape.size() != 2 || fc1.shape.size() != 2)
        throw FormatError(file.where(), "tensor ranks do not look like a timm VisionTransformer");
    for (const auto* t : {&proj, &pos, &head, &fc1})
        for (const auto d : t->shape)
            if (d <= 0) throw FormatError(file.where() + ": tensor '" + t->name + "'", "has a zero-size dimension");
    if (pos.shape[1] < 2) throw FormatError(file.where() + ": tensor 'pos_embed'", "has no patch positions");
    ModelInfo m;
    m.embed_dim = static_cast<int>(proj.shape[0]);
    m.channels = static_cast<int>(proj.shape[1]);
    m.patch = static_cast<int>(proj.shape[2]);
    const int patches = static_cast<int>(pos.shape[1]) - 1;
    const int side = static_cast<int>(std::lround(std::sqrt(patches)));
    if (side * side != patches)
        throw FormatError(file.where() + ": tensor 'pos_embed'", "has " + std::to_string(patches) +
                                                                     " patch positions, not a square grid");
    m.image_size = side * m.patch;
    m.num_classes = static_cast<int>(head.shape[0]);
    m.mlp_ratio_x100 = static_cast<int>(fc1.shape[0] * 100 / m.embed_dim);
    int depth = 0;
    while (file.contains("blocks." + std::to_string(depth) + ".norm1.weight")) ++depth;
    m.depth = depth;
    m.heads = heads > 0 ? heads : std::max(1, m.embed_dim / 64);
    m.tokens = patches + 1;
    try {
        formats::validate_architecture(m);
    } catch (const FormatError& e) {
        throw FormatError(file.where() + " (inferred " + e.where() + ")", e.problem());
    }
    return m;
}

}  // namespace tp::runtime
