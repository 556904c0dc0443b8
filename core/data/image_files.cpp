#include "core/data/image_files.h"

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "core/data/image_decode.h"
#include "core/util/format_error.h"

namespace tp::data {

RawImage read_image_file(const std::string& path) { return decode_image_file(path, 0); }

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

}  // namespace tp::data
