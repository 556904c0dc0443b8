#include "core/data/input_pipeline.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

#define STB_IMAGE_RESIZE_IMPLEMENTATION
#define STB_IMAGE_RESIZE_STATIC
#include <stb_image_resize.h>

#include "core/util/format_error.h"
#include "core/util/input_limits.h"

namespace tp::data {
namespace {

// Every intermediate image is checked before it is allocated: a card may ask for a resize, crop or
// pad of any size, and `height + 2 * pad` must neither wrap nor ask for gigabytes.
void check_size(std::int64_t height, std::int64_t width, const char* step) {
    if (height < 1 || width < 1 || height > limits::kImageSide || width > limits::kImageSide ||
        static_cast<std::uint64_t>(height) * static_cast<std::uint64_t>(width) > limits::kImagePixels)
        throw FormatError(std::string("input_pipeline (") + step + ")",
                          "would make a " + std::to_string(height) + "x" + std::to_string(width) +
                              " image; the limit is " + std::to_string(limits::kImageSide) + " pixels a side");
}

RawImage resize_shorter(const RawImage& in, int size, const std::string& interpolation) {
    RawImage out;
    out.channels = in.channels;
    const double longer = std::max(1.0, std::round(static_cast<double>(std::max(in.width, in.height)) * size /
                                                    std::min(in.width, in.height)));
    check_size(size, longer > limits::kImageSide ? std::int64_t{limits::kImageSide} + 1 : static_cast<std::int64_t>(longer),
               "resize");
    if (in.height <= in.width) {
        out.height = size;
        out.width = static_cast<int>(longer);
    } else {
        out.width = size;
        out.height = static_cast<int>(longer);
    }
    if (out.height == in.height && out.width == in.width) return in;
    out.pixels.resize(static_cast<size_t>(out.height) * out.width * out.channels);
    // Catmull-Rom is the a = -0.5 cubic PIL's bicubic uses; stb antialiases when shrinking, like PIL.
    const auto filter = interpolation == "bicubic" ? STBIR_FILTER_CATMULLROM : STBIR_FILTER_TRIANGLE;
    const int ok = stbir_resize_uint8_generic(in.pixels.data(), in.width, in.height, 0, out.pixels.data(), out.width,
                                              out.height, 0, in.channels, STBIR_ALPHA_CHANNEL_NONE, 0,
                                              STBIR_EDGE_CLAMP, filter, STBIR_COLORSPACE_LINEAR, nullptr);
    if (!ok) throw FormatError("input_pipeline", "resize failed");
    return out;
}

RawImage center_crop(const RawImage& in, int size) {
    check_size(size, size, "center_crop");
    RawImage out;
    out.height = out.width = size;
    out.channels = in.channels;
    out.pixels.assign(static_cast<size_t>(size) * size * in.channels, 0);
    // timm/torchvision: top = round((H - size) / 2); a crop larger than the image pads with zeros.
    const int top = static_cast<int>(std::lround((in.height - size) / 2.0));
    const int left = static_cast<int>(std::lround((in.width - size) / 2.0));
    for (int y = 0; y < size; ++y) {
        const int sy = y + top;
        if (sy < 0 || sy >= in.height) continue;
        for (int x = 0; x < size; ++x) {
            const int sx = x + left;
            if (sx < 0 || sx >= in.width) continue;
            for (int c = 0; c < in.channels; ++c)
                out.pixels[(static_cast<size_t>(y) * size + x) * in.channels + c] =
                    in.pixels[(static_cast<size_t>(sy) * in.width + sx) * in.channels + c];
        }
    }
    return out;
}

RawImage pad(const RawImage& in, int p) {
    check_size(in.height + 2 * std::int64_t{p}, in.width + 2 * std::int64_t{p}, "pad");
    RawImage out;
    out.height = in.height + 2 * p;
    out.width = in.width + 2 * p;
    out.channels = in.channels;
    out.pixels.assign(static_cast<size_t>(out.height) * out.width * out.channels, 0);
    for (int y = 0; y < in.height; ++y)
        std::copy_n(&in.pixels[static_cast<size_t>(y) * in.width * in.channels], in.width * in.channels,
                    &out.pixels[(static_cast<size_t>(y + p) * out.width + p) * out.channels]);
    return out;
}

RawImage convert_channels(const RawImage& in, int channels) {
    if (in.channels == channels) return in;
    RawImage out;
    out.height = in.height;
    out.width = in.width;
    out.channels = channels;
    const size_t n = static_cast<size_t>(in.height) * in.width;
    out.pixels.resize(n * channels);
    for (size_t i = 0; i < n; ++i) {
        const uint8_t* p = &in.pixels[i * in.channels];
        if (channels == 1) {
            // PIL "L": L = R * 299/1000 + G * 587/1000 + B * 114/1000 (alpha ignored).
            out.pixels[i] = in.channels >= 3
                                ? static_cast<uint8_t>((p[0] * 299 + p[1] * 587 + p[2] * 114 + 500) / 1000)
                                : p[0];
        } else {
            for (int c = 0; c < channels; ++c) out.pixels[i * channels + c] = p[in.channels >= 3 ? c : 0];
        }
    }
    return out;
}

}  // namespace

void apply_pipeline(const std::vector<formats::PipelineStep>& steps, const RawImage& image, int channels, int size,
                    float* out) {
    // The model's channel count first (grey -> replicated RGB, RGB -> luma), so a grayscale dataset
    // can feed an RGB model and the other way round.
    RawImage img = image.channels == channels ? image : convert_channels(image, channels);
    std::vector<float> values;  // HWC floats once converted
    bool is_float = false;
    for (size_t i = 0; i < steps.size(); ++i) {
        const auto& s = steps[i];
        const std::string where = "input_pipeline[" + std::to_string(i) + "] (" + s.op + ")";
        if (is_float && s.op != "normalize") throw FormatError(where, "must come before to_float");
        if (s.op == "grayscale") {
            img = convert_channels(img, 1);
        } else if (s.op == "rgb") {
            img = convert_channels(img, 3);
        } else if (s.op == "resize") {
            img = resize_shorter(img, s.size, s.interpolation);
        } else if (s.op == "center_crop") {
            img = center_crop(img, s.size);
        } else if (s.op == "pad") {
            img = pad(img, s.pixels);
        } else if (s.op == "to_float") {
            values.resize(img.pixels.size());
            for (size_t k = 0; k < values.size(); ++k) values[k] = static_cast<float>(img.pixels[k] / s.divide_by);
            is_float = true;
        } else if (s.op == "normalize") {
            if (!is_float) throw FormatError(where, "needs to_float before it");
            if (static_cast<int>(s.mean.size()) != img.channels)
                throw FormatError(where, std::to_string(s.mean.size()) + " means for a " + std::to_string(img.channels) +
                                             "-channel image");
            for (size_t k = 0; k < values.size(); ++k) {
                const size_t c = k % static_cast<size_t>(img.channels);
                values[k] = static_cast<float>((values[k] - s.mean[c]) / s.std[c]);
            }
        } else {
            throw FormatError(where, "unknown step");
        }
    }
    if (!is_float) throw FormatError("input_pipeline", "has no to_float step");
    if (img.channels != channels) {
        throw FormatError("input_pipeline", "produces " + std::to_string(img.channels) + " channels, the model takes " +
                                                std::to_string(channels) + " (add a grayscale or rgb step)");
    }
    if (img.height != size || img.width != size)
        throw FormatError("input_pipeline", "produces " + std::to_string(img.height) + "x" + std::to_string(img.width) +
                                                " images, the model takes " + std::to_string(size) + "x" +
                                                std::to_string(size));
    const size_t plane = static_cast<size_t>(size) * size;
    for (int c = 0; c < channels; ++c)
        for (size_t p = 0; p < plane; ++p) out[c * plane + p] = values[p * channels + c];
}

}  // namespace tp::data
