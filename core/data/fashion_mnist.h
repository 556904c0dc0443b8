#pragma once
// Torch-free: Fashion-MNIST from IDX files (gzip read with zlib), e.g. Debian's
// dataset-fashion-mnist in /usr/share/datasets/fashion-mnist.
#include <string>
#include <vector>

#include "core/data/image_source.h"

namespace tp::data {

const char* default_fashion_mnist_dir();  // /usr/share/datasets/fashion-mnist

// An IDX file (optionally gzip-compressed): dims and bytes. Only unsigned-byte IDX (type 0x08).
// Throws tp::FormatError naming the file on a bad magic, truncation or corrupt gzip.
struct IdxArray {
    std::vector<int> dims;
    std::vector<uint8_t> data;
};
IdxArray read_idx(const std::string& path);
// The same checks on bytes already in memory (already decompressed); `where` names them in errors.
IdxArray parse_idx(const std::string& bytes, const std::string& where);

class FashionMnist : public ImageSource {
public:
    // split: "train" or "test" (t10k). Checks images and labels agree in count and labels < 10.
    static FashionMnist load(const std::string& dir, const std::string& split);
    size_t size() const override { return labels_.size(); }
    int label(size_t index) const override { return labels_.at(index); }
    RawImage image(size_t index) const override;
    std::vector<std::string> class_names() const override;
    std::string description() const override { return "fashion-mnist " + split_; }
    const uint8_t* pixels(size_t index) const { return images_.data() + index * 28 * 28; }

private:
    std::string split_;
    std::vector<uint8_t> images_;
    std::vector<int> labels_;
};

}  // namespace tp::data
