#include "core/formats/vit_config.h"

#include <cstdint>
#include <map>

#include "core/util/format_error.h"
#include "core/util/input_limits.h"

namespace tp::formats {
namespace {

ModelInfo deit(const std::string& name, int dim, int heads) {
    ModelInfo m;
    m.name = name;
    m.depth = 12;
    m.embed_dim = dim;
    m.heads = heads;
    m.mlp_ratio_x100 = 400;
    m.patch = 16;
    m.image_size = 224;
    m.channels = 3;
    m.num_classes = 1000;
    m.tokens = 197;
    return m;
}

const std::map<std::string, ModelInfo>& presets() {
    static const std::map<std::string, ModelInfo> all = {
        {"deit_tiny_patch16_224", deit("deit_tiny_patch16_224", 192, 3)},
        {"deit_small_patch16_224", deit("deit_small_patch16_224", 384, 6)},
        {"deit_base_patch16_224", deit("deit_base_patch16_224", 768, 12)},
    };
    return all;
}

}  // namespace

const std::vector<std::string>& vit_preset_names() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> n;
        for (const auto& [name, _] : presets()) n.push_back(name);
        return n;
    }();
    return names;
}

ModelInfo vit_preset(const std::string& name) {
    auto it = presets().find(name);
    if (it == presets().end()) {
        std::string known;
        for (const auto& n : vit_preset_names()) known += (known.empty() ? "" : ", ") + n;
        throw FormatError("model", "unknown preset '" + name + "' (known: " + known + ")");
    }
    return it->second;
}

void validate_architecture(const ModelInfo& m) {
    // Bounded too: the sizes below are multiplied into tensor shapes and allocations.
    auto in_range = [](int value, const char* field, int most) {
        if (value <= 0) throw FormatError("model." + std::string(field), "must be positive, got " + std::to_string(value));
        if (value > most)
            throw FormatError("model." + std::string(field),
                              std::to_string(value) + " is over the limit of " + std::to_string(most));
    };
    in_range(m.depth, "depth", limits::kModelDepth);
    in_range(m.embed_dim, "embed_dim", limits::kEmbedDim);
    in_range(m.heads, "heads", limits::kHeads);
    in_range(m.mlp_ratio_x100, "mlp_ratio_x100", 100 * 64);
    in_range(m.patch, "patch", limits::kImageSide);
    in_range(m.image_size, "image_size", limits::kImageSide);
    in_range(m.channels, "channels", 4);
    in_range(m.num_classes, "num_classes", limits::kClasses);
    const std::int64_t side = m.image_size / m.patch;
    if (side * side + 1 > limits::kTokens)
        throw FormatError("model.patch", "image_size/patch gives " + std::to_string(side * side + 1) +
                                             " tokens; the limit is " + std::to_string(limits::kTokens));
    if (m.embed_dim % m.heads != 0)
        throw FormatError("model.heads", "embed_dim " + std::to_string(m.embed_dim) + " is not divisible by " +
                                             std::to_string(m.heads) + " heads");
    if (m.image_size % m.patch != 0)
        throw FormatError("model.patch", "image_size " + std::to_string(m.image_size) + " is not divisible by patch " +
                                             std::to_string(m.patch));
    if (m.embed_dim * m.mlp_ratio_x100 % 100 != 0)
        throw FormatError("model.mlp_ratio_x100", "embed_dim * mlp ratio is not a whole number");
}

int patch_tokens(const ModelInfo& m) { return (m.image_size / m.patch) * (m.image_size / m.patch); }
int sequence_length(const ModelInfo& m) { return patch_tokens(m) + 1; }
int mlp_hidden(const ModelInfo& m) { return m.embed_dim * m.mlp_ratio_x100 / 100; }

}  // namespace tp::formats
