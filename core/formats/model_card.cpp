#include "core/formats/model_card.h"

#include <climits>
#include <cstdint>
#include <set>
#include <type_traits>

#include <nlohmann/json.hpp>

#include "core/util/format_error.h"
#include "core/util/input_limits.h"
#include "core/util/json_reader.h"
#include "core/formats/vit_config.h"

namespace tp::formats {
namespace {
using nlohmann::json;

class Reader {
public:
    Reader(const json& obj, std::string where, const std::string& file) : obj_(obj), where_(std::move(where)), file_(file) {
        if (!obj_.is_object()) fail("", "must be an object");
    }
    // Unknown fields are an error: each object's reading ends with finish(). (This check once ran
    // in a throwing destructor; a destructor that throws while a function returns leaks the
    // returned value — fuzz_model_card found a step's mean/std vectors leaked that way.)
    void finish() const {
        for (auto it = obj_.begin(); it != obj_.end(); ++it)
            if (!seen_.count(it.key())) fail(it.key(), "unknown field");
    }
    [[noreturn]] void fail(const std::string& field, const std::string& what) const {
        throw FormatError(file_ + ": " + where_ + (field.empty() ? "" : "/" + field), what);
    }
    const json* get(const std::string& field, bool required) {
        seen_.insert(field);
        auto it = obj_.find(field);
        if (it == obj_.end()) {
            if (required) fail(field, "missing");
            return nullptr;
        }
        return &*it;
    }
    template <class T>
    T value(const std::string& field, T fallback = T{}, bool required = true) {
        const json* j = get(field, required);
        if (!j) return fallback;
        if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
            // A float converted to an integer type is undefined past its range ("seed": 3e112;
            // fuzz_model_card): integers must be written as integers.
            if (!j->is_number_integer() || (std::is_unsigned_v<T> && !j->is_number_unsigned()))
                fail(field, std::is_unsigned_v<T> ? "must be a non-negative integer" : "must be an integer");
        }
        try {
            return j->get<T>();
        } catch (const json::exception&) {
            fail(field, "has the wrong type (" + std::string(j->type_name()) + ")");
        }
    }
    int integer(const std::string& field, bool required = true) {
        const json* j = get(field, required);
        if (!j) return 0;
        if (!j->is_number_integer()) fail(field, "must be an integer");
        // Range-checked: get<int>() of 4294967296 would silently give 0.
        const bool fits = j->is_number_unsigned() ? j->get<std::uint64_t>() <= static_cast<std::uint64_t>(INT_MAX)
                                                  : j->get<std::int64_t>() >= INT_MIN && j->get<std::int64_t>() <= INT_MAX;
        if (!fits) fail(field, "is out of range");
        return static_cast<int>(j->get<std::int64_t>());
    }
    const json& sub(const std::string& field) { return *get(field, true); }
    std::string path(const std::string& field) const { return where_ + "/" + field; }

private:
    const json& obj_;
    std::string where_;
    const std::string& file_;
    std::set<std::string> seen_;
};

json step_to_json(const PipelineStep& s) {
    json j{{"op", s.op}};
    if (s.op == "resize") j["size"] = s.size, j["interpolation"] = s.interpolation;
    if (s.op == "center_crop") j["size"] = s.size;
    if (s.op == "pad") j["pixels"] = s.pixels;
    if (s.op == "to_float") j["divide_by"] = s.divide_by;
    if (s.op == "normalize") j["mean"] = s.mean, j["std"] = s.std;
    return j;
}

PipelineStep step_from_json(const json& j, const std::string& where, const std::string& file) {
    Reader r(j, where, file);
    PipelineStep s;
    s.op = r.value<std::string>("op");
    if (s.op == "resize") {
        s.size = r.integer("size");
        s.interpolation = r.value<std::string>("interpolation");
        if (s.interpolation != "bicubic" && s.interpolation != "bilinear")
            r.fail("interpolation", "must be bicubic or bilinear");
    } else if (s.op == "center_crop") {
        s.size = r.integer("size");
    } else if (s.op == "pad") {
        s.pixels = r.integer("pixels");
    } else if (s.op == "to_float") {
        s.divide_by = r.value<double>("divide_by");
        if (s.divide_by <= 0) r.fail("divide_by", "must be positive");
    } else if (s.op == "normalize") {
        s.mean = r.value<std::vector<double>>("mean");
        s.std = r.value<std::vector<double>>("std");
        if (s.mean.size() != s.std.size() || s.mean.empty()) r.fail("std", "mean and std need one entry per channel");
        for (double v : s.std)
            if (v <= 0) r.fail("std", "must be positive");
    } else if (s.op != "grayscale" && s.op != "rgb") {
        r.fail("op", "unknown step '" + s.op + "' (grayscale, rgb, resize, center_crop, pad, to_float, normalize)");
    }
    if ((s.op == "resize" || s.op == "center_crop") && (s.size <= 0 || s.size > limits::kImageSide))
        r.fail("size", "must be 1 to " + std::to_string(limits::kImageSide));
    if (s.op == "pad" && (s.pixels < 0 || s.pixels > limits::kImageSide))
        r.fail("pixels", "must be 0 to " + std::to_string(limits::kImageSide));
    r.finish();
    return s;
}

}  // namespace

std::string card_path_for(const std::string& weights_path) {
    const std::string ext = ".safetensors";
    if (weights_path.size() > ext.size() && weights_path.compare(weights_path.size() - ext.size(), ext.size(), ext) == 0)
        return weights_path.substr(0, weights_path.size() - ext.size()) + ".card.json";
    return weights_path + ".card.json";
}

std::vector<PipelineStep> timm_eval_pipeline(int image_size, double crop_pct) {
    PipelineStep resize{"resize"};
    resize.size = static_cast<int>(image_size / crop_pct);  // timm: floor(img_size / crop_pct)
    resize.interpolation = "bicubic";
    PipelineStep crop{"center_crop"};
    crop.size = image_size;
    PipelineStep to_float{"to_float"};
    to_float.divide_by = 255;
    PipelineStep normalize{"normalize"};
    normalize.mean = {0.485, 0.456, 0.406};
    normalize.std = {0.229, 0.224, 0.225};
    return {resize, crop, to_float, normalize};
}

void write_model_card(const std::string& path, const ModelCard& c) {
    const auto& a = c.architecture;
    json j;
    j["format"] = "tailprune-model-card";
    j["format_version"] = ModelCard::kFormatVersion;
    j["name"] = c.name;
    j["weights_file"] = c.weights_file;
    if (!c.weights_dtype.empty()) j["weights_dtype"] = c.weights_dtype;
    j["created"] = c.created;
    j["architecture"] = {{"type", "vit"},         {"depth", a.depth},          {"embed_dim", a.embed_dim},
                         {"heads", a.heads},       {"mlp_ratio", a.mlp_ratio_x100 / 100.0},
                         {"patch", a.patch},       {"image_size", a.image_size}, {"channels", a.channels},
                         {"num_classes", a.num_classes}, {"tokens", sequence_length(a)},
                         {"qkv_bias", true},       {"norm_eps", 1e-6},         {"gelu", "exact"},
                         {"pooling", "cls"}};
    j["input_pipeline"] = json::array();
    for (const auto& s : c.input_pipeline) j["input_pipeline"].push_back(step_to_json(s));
    j["data"] = {{"dataset", c.data.dataset},           {"source", c.data.source},
                 {"train_images", c.data.train_images}, {"holdout_images", c.data.holdout_images},
                 {"holdout_seed", c.data.holdout_seed}, {"classes", c.data.classes}};
    if (c.training) {
        const auto& t = *c.training;
        j["training"] = {{"epochs", t.epochs}, {"batch", t.batch}, {"optimizer", t.optimizer}, {"lr", t.lr},
                         {"weight_decay", t.weight_decay}, {"warmup_epochs", t.warmup_epochs},
                         {"lr_schedule", t.lr_schedule}, {"augmentation", t.augmentation}, {"seed", t.seed},
                         {"threads", t.threads}, {"time_s", t.time_s}, {"device", t.device},
                         {"torch_version", t.torch_version}, {"command", t.command}};
        if (!t.init_from.empty()) j["training"]["init_from"] = t.init_from;
        if (!t.precision.empty()) j["training"]["precision"] = t.precision;
        if (t.label_smoothing > 0) j["training"]["label_smoothing"] = t.label_smoothing;
    }
    if (c.results) {
        const auto& r = *c.results;
        j["results"] = {{"holdout_top1", r.holdout_top1}, {"holdout_images", r.holdout_images},
                        {"test_top1", r.test_top1},       {"test_top5", r.test_top5},
                        {"test_images", r.test_images}};
    }
    if (!c.anchors.empty()) j["anchors"] = anchors_to_json(c.anchors);
    write_text_file_atomically(path, j.dump(2) + "\n");
}

ModelCard read_model_card(const std::string& path) { return parse_model_card(read_text_file(path), path); }

ModelCard parse_model_card(const std::string& text, const std::string& path) {
    const json j = parse_json_text(text, path);
    ModelCard c;
    Reader r(j, "", path);
    if (r.value<std::string>("format") != "tailprune-model-card") r.fail("format", "must be \"tailprune-model-card\"");
    if (r.integer("format_version") != ModelCard::kFormatVersion)
        r.fail("format_version", "unsupported (this build reads version " + std::to_string(ModelCard::kFormatVersion) + ")");
    c.name = r.value<std::string>("name");
    c.weights_file = r.value<std::string>("weights_file");
    // The weights sit next to their card: a plain file name, so a card cannot point anywhere else.
    if (c.weights_file.empty() || c.weights_file == "." || c.weights_file == ".." ||
        c.weights_file.find('/') != std::string::npos || c.weights_file.find('\\') != std::string::npos ||
        c.weights_file.find('\0') != std::string::npos)
        r.fail("weights_file", "must be a file name in the card's folder (no '/' or '..')");
    c.weights_dtype = r.value<std::string>("weights_dtype", "", false);
    if (!c.weights_dtype.empty() && c.weights_dtype != "F16" && c.weights_dtype != "BF16" && c.weights_dtype != "F32")
        r.fail("weights_dtype", "'" + c.weights_dtype + "' is not F32, F16 or BF16");
    c.created = r.value<std::string>("created", "", false);
    {
        Reader a(r.sub("architecture"), "architecture", path);
        if (a.value<std::string>("type") != "vit") a.fail("type", "only \"vit\" is supported");
        auto& m = c.architecture;
        m.name = c.name;
        m.depth = a.integer("depth");
        m.embed_dim = a.integer("embed_dim");
        m.heads = a.integer("heads");
        const double mlp_ratio = a.value<double>("mlp_ratio");
        if (!(mlp_ratio > 0 && mlp_ratio <= 256)) a.fail("mlp_ratio", "must be above 0 and at most 256");  // before the cast
        m.mlp_ratio_x100 = static_cast<int>(mlp_ratio * 100 + 0.5);
        m.patch = a.integer("patch");
        m.image_size = a.integer("image_size");
        m.channels = a.integer("channels");
        m.num_classes = a.integer("num_classes");
        const int tokens = a.integer("tokens");
        if (!a.value<bool>("qkv_bias")) a.fail("qkv_bias", "only qkv with bias is supported");
        if (a.value<double>("norm_eps") != 1e-6) a.fail("norm_eps", "only timm's 1e-6 is supported");
        if (a.value<std::string>("gelu") != "exact") a.fail("gelu", "only exact GELU is supported");
        if (a.value<std::string>("pooling") != "cls") a.fail("pooling", "only CLS pooling is supported");
        try {
            validate_architecture(m);
        } catch (const FormatError& e) {
            throw FormatError(path + ": " + e.where(), e.problem());
        }
        m.tokens = sequence_length(m);
        if (tokens != m.tokens)
            a.fail("tokens", std::to_string(tokens) + " contradicts image_size/patch, which give " + std::to_string(m.tokens));
        a.finish();
    }
    const json& steps = r.sub("input_pipeline");
    if (!steps.is_array() || steps.empty()) r.fail("input_pipeline", "must be a non-empty array of steps");
    for (size_t i = 0; i < steps.size(); ++i)
        c.input_pipeline.push_back(step_from_json(steps[i], "input_pipeline/" + std::to_string(i), path));
    {
        Reader d(r.sub("data"), "data", path);
        c.data.dataset = d.value<std::string>("dataset");
        c.data.source = d.value<std::string>("source", "", false);
        c.data.train_images = d.integer("train_images", false);
        c.data.holdout_images = d.integer("holdout_images", false);
        c.data.holdout_seed = d.value<uint64_t>("holdout_seed", 0, false);
        c.data.classes = d.value<std::vector<std::string>>("classes", {}, false);
        if (!c.data.classes.empty() && static_cast<int>(c.data.classes.size()) != c.architecture.num_classes)
            d.fail("classes", std::to_string(c.data.classes.size()) + " names for " +
                                  std::to_string(c.architecture.num_classes) + " classes");
        d.finish();
    }
    if (r.get("training", false)) {
        Reader t(r.sub("training"), "training", path);
        CardTraining tr;
        tr.epochs = t.integer("epochs");
        tr.batch = t.integer("batch");
        tr.optimizer = t.value<std::string>("optimizer");
        tr.lr = t.value<double>("lr");
        tr.weight_decay = t.value<double>("weight_decay");
        tr.warmup_epochs = t.value<double>("warmup_epochs");
        tr.lr_schedule = t.value<std::string>("lr_schedule");
        tr.augmentation = t.value<std::vector<std::string>>("augmentation");
        tr.seed = t.value<uint64_t>("seed");
        tr.threads = t.integer("threads");
        tr.time_s = t.value<double>("time_s");
        tr.device = t.value<std::string>("device");
        tr.torch_version = t.value<std::string>("torch_version");
        tr.command = t.value<std::string>("command", "", false);
        tr.init_from = t.value<std::string>("init_from", "", false);
        tr.precision = t.value<std::string>("precision", "", false);
        tr.label_smoothing = t.value<double>("label_smoothing", 0, false);
        t.finish();
        c.training = tr;
    }
    if (r.get("results", false)) {
        Reader s(r.sub("results"), "results", path);
        CardResults res;
        res.holdout_top1 = s.value<double>("holdout_top1");
        res.holdout_images = s.integer("holdout_images");
        res.test_top1 = s.value<double>("test_top1");
        res.test_top5 = s.value<double>("test_top5");
        res.test_images = s.integer("test_images");
        s.finish();
        c.results = res;
    }
    if (const json* anchors = r.get("anchors", false)) {
        try {
            c.anchors = anchors_from_json(*anchors, "anchors");
        } catch (const FormatError& e) {
            throw FormatError(path + ": " + e.where(), e.problem());
        }
    }
    r.finish();
    return c;
}

}  // namespace tp::formats
