#include "core/data/image_folder.h"

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "core/data/image_decode.h"
#include "core/util/format_error.h"

namespace tp::data {
namespace {

bool is_image(const std::filesystem::path& p) {
    std::string ext = p.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
    return ext == ".jpg" || ext == ".jpeg" || ext == ".png" || ext == ".bmp";
}

}  // namespace

ImageFolder ImageFolder::open(const std::string& root, int channels) {
    namespace fs = std::filesystem;
    if (channels != 1 && channels != 3) throw FormatError(root, "images must be decoded to 1 or 3 channels");
    std::error_code ec;
    if (!fs::is_directory(root, ec)) throw FormatError(root, "not a folder");
    ImageFolder f;
    f.root_ = root;
    f.channels_ = channels;
    for (const auto& entry : fs::directory_iterator(root, ec))
        if (entry.is_directory()) f.classes_.push_back(entry.path().filename().string());
    if (ec) throw FormatError(root, "cannot list the folder: " + ec.message());
    std::sort(f.classes_.begin(), f.classes_.end());
    if (f.classes_.empty()) throw FormatError(root, "has no class sub-folders (ImageFolder layout: ROOT/CLASS/IMAGE)");
    for (size_t c = 0; c < f.classes_.size(); ++c) {
        std::vector<std::string> files;
        for (const auto& entry : fs::recursive_directory_iterator(fs::path(root) / f.classes_[c], ec))
            if (entry.is_regular_file() && is_image(entry.path())) files.push_back(entry.path().string());
        std::sort(files.begin(), files.end());
        for (auto& file : files) {
            f.files_.push_back(std::move(file));
            f.labels_.push_back(static_cast<int>(c));
        }
    }
    if (f.files_.empty()) throw FormatError(root, "contains no .jpg, .jpeg, .png or .bmp images");
    return f;
}

RawImage ImageFolder::image(size_t index) const { return decode_image_file(files_.at(index), channels_); }

}  // namespace tp::data
