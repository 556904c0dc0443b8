#pragma once
// Torch-free: an ImageFolder directory (torchvision layout): one sub-folder per class, classes in
// sorted order, JPEG/PNG/BMP images inside, decoded with stb_image.
#include <string>
#include <vector>

#include "core/data/image_source.h"

namespace tp::data {

class ImageFolder : public ImageSource {
public:
    // Lists the folder (no decoding yet). `channels` (1 or 3) is what every decoded image gets.
    // Throws tp::FormatError naming the folder when it has no class folders or no images.
    static ImageFolder open(const std::string& root, int channels);
    size_t size() const override { return files_.size(); }
    int label(size_t index) const override { return labels_.at(index); }
    RawImage image(size_t index) const override;  // FormatError naming the file if it cannot be decoded
    std::vector<std::string> class_names() const override { return classes_; }
    std::string description() const override { return "folder " + root_; }
    const std::string& file(size_t index) const { return files_.at(index); }

private:
    std::string root_;
    int channels_ = 3;
    std::vector<std::string> classes_;
    std::vector<std::string> files_;
    std::vector<int> labels_;
};

}  // namespace tp::data
