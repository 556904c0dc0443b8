#include "core/runtime/vit_weights.h"

#include <cmath>
#include <cstring>
#include <set>

#include "core/model/format_error.h"

namespace tp::runtime {
namespace {

std::string shape_text(c10::IntArrayRef shape) {
    std::string s = "[";
    for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
    return s + "]";
}

torch::ScalarType torch_dtype(TensorDtype d) {
    switch (d) {
    case TensorDtype::F32: return torch::kFloat32;
    case TensorDtype::F16: return torch::kFloat16;
    case TensorDtype::BF16: return torch::kBFloat16;
    }
    return torch::kFloat32;
}

}  // namespace

void load_weights(VisionTransformer& model, const SafetensorsFile& file, const std::string& source) {
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
        auto t = torch::empty(e.shape, torch::TensorOptions().dtype(torch_dtype(e.dtype)));
        std::memcpy(t.data_ptr(), file.data(e), e.end - e.begin);
        param.copy_(t.to(param.dtype()));
    }
}

void save_weights(VisionTransformer& model, const std::string& path, const std::map<std::string, std::string>& metadata) {
    std::vector<torch::Tensor> keep;
    std::vector<TensorToWrite> out;
    for (const auto& p : model->named_parameters(true)) {
        auto t = p.value().detach().to(torch::kCPU, torch::kFloat32).contiguous();
        keep.push_back(t);
        out.push_back({p.key(), TensorDtype::F32, t.sizes().vec(), t.data_ptr()});
    }
    write_safetensors(path, out, metadata);
}

ModelInfo infer_architecture(const SafetensorsFile& file, int heads) {
    const auto& proj = file.entry("patch_embed.proj.weight");   // (dim, channels, patch, patch)
    const auto& pos = file.entry("pos_embed");                  // (1, tokens, dim)
    const auto& head = file.entry("head.weight");               // (classes, dim)
    const auto& fc1 = file.entry("blocks.0.mlp.fc1.weight");    // (hidden, dim)
    if (proj.shape.size() != 4 || pos.shape.size() != 3 || head.shape.size() != 2 || fc1.shape.size() != 2)
        throw FormatError(file.where(), "tensor ranks do not look like a timm VisionTransformer");
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
    return m;
}

}  // namespace tp::runtime
