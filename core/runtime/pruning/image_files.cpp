#include "core/runtime/pruning/image_files.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <memory>

// Private copy of the decoder (static functions): no clash with other translation units.
#define STB_IMAGE_IMPLEMENTATION
#define STB_IMAGE_STATIC
#include <stb_image.h>

#include "core/model/format_error.h"

namespace tp::runtime {

RawImage read_image_file(const std::string& path) {
    int width = 0, height = 0, channels = 0;
    std::unique_ptr<stbi_uc, void (*)(void*)> pixels(stbi_load(path.c_str(), &width, &height, &channels, 0),
                                                     stbi_image_free);
    if (!pixels) throw FormatError(path, std::string("cannot decode the image: ") + stbi_failure_reason());
    const int kept = channels == 2 ? 1 : channels == 4 ? 3 : channels;
    RawImage image;
    image.height = height;
    image.width = width;
    image.channels = kept;
    image.pixels.resize(static_cast<std::size_t>(width) * height * kept);
    for (std::size_t p = 0; p < static_cast<std::size_t>(width) * height; ++p)
        for (int c = 0; c < kept; ++c) image.pixels[p * kept + c] = pixels.get()[p * channels + c];
    return image;
}

std::vector<std::string> image_files_at(const std::string& path) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (fs::is_regular_file(path, ec)) return {path};
    if (!fs::is_directory(path, ec)) throw FormatError(path, "no such image file or folder");
    static const char* extensions[] = {".png", ".jpg", ".jpeg", ".bmp", ".pgm", ".ppm", ".pnm", ".tga", ".gif"};
    std::vector<std::string> files;
    for (const auto& entry : fs::directory_iterator(path, ec)) {
        if (!entry.is_regular_file()) continue;
        std::string ext = entry.path().extension().string();
        std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
        if (std::find(std::begin(extensions), std::end(extensions), ext) != std::end(extensions))
            files.push_back(entry.path().string());
    }
    if (ec) throw FormatError(path, "cannot list the folder: " + ec.message());
    if (files.empty()) throw FormatError(path, "the folder holds no image files (png, jpg, bmp, pgm, ppm, tga, gif)");
    std::sort(files.begin(), files.end());
    return files;
}

}  // namespace tp::runtime
