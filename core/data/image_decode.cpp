#include "core/data/image_decode.h"

#include <memory>

#include "core/util/format_error.h"
#include "core/util/input_limits.h"

// One private copy of the decoder (static functions); its own dimension check agrees with ours.
#define STB_IMAGE_IMPLEMENTATION
#define STB_IMAGE_STATIC
#define STBI_MAX_DIMENSIONS 16384
#include <stb_image.h>

static_assert(STBI_MAX_DIMENSIONS == tp::limits::kImageSide, "stb's limit is ours");

namespace tp::data {

RawImage decode_image_file(const std::string& path, int channels) {
    if (channels != 0 && channels != 1 && channels != 3)
        throw FormatError(path, "images can be decoded to 1 or 3 channels only");
    int width = 0, height = 0, stored = 0;
    if (!stbi_info(path.c_str(), &width, &height, &stored))
        throw FormatError(path, std::string("cannot decode the image: ") + stbi_failure_reason());
    if (width <= 0 || height <= 0 || width > limits::kImageSide || height > limits::kImageSide ||
        static_cast<std::uint64_t>(width) * static_cast<std::uint64_t>(height) > limits::kImagePixels)
        throw FormatError(path, "the image is " + std::to_string(width) + "x" + std::to_string(height) +
                                    " pixels; the limit is " + std::to_string(limits::kImageSide) + " a side");
    const int kept = channels != 0 ? channels : stored == 2 ? 1 : stored == 4 ? 3 : stored;
    std::unique_ptr<stbi_uc, void (*)(void*)> pixels(stbi_load(path.c_str(), &width, &height, &stored, kept),
                                                     stbi_image_free);
    if (!pixels) throw FormatError(path, std::string("cannot decode the image: ") + stbi_failure_reason());
    RawImage image;
    image.height = height;
    image.width = width;
    image.channels = kept;
    image.pixels.assign(pixels.get(), pixels.get() + static_cast<std::size_t>(width) * height * kept);
    return image;
}

}  // namespace tp::data
