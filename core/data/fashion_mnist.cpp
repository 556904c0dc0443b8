#include "core/data/fashion_mnist.h"

#include "core/util/file_io.h"
#include "core/util/format_error.h"
#include "core/util/input_limits.h"

namespace tp::data {

std::vector<int> ImageSource::labels() const {
    std::vector<int> out(size());
    for (size_t i = 0; i < out.size(); ++i) out[i] = label(i);
    return out;
}

const char* default_fashion_mnist_dir() { return "/usr/share/datasets/fashion-mnist"; }

IdxArray read_idx(const std::string& path) {
    // Plain or gzip (decompression bounded by the limits in core/util/input_limits.h).
    return parse_idx(read_text_file(path, limits::kDecompressedBytes), path);
}

IdxArray parse_idx(const std::string& text, const std::string& path) {
    const std::vector<uint8_t> bytes(text.begin(), text.end());
    if (bytes.size() < 4) throw FormatError(path, "truncated: no IDX magic number");
    if (bytes[0] != 0 || bytes[1] != 0) throw FormatError(path, "not an IDX file (bad magic number)");
    if (bytes[2] != 0x08) throw FormatError(path, "unsupported IDX element type (only unsigned bytes, 0x08)");
    const int rank = bytes[3];
    if (rank < 1 || rank > 4) throw FormatError(path, "unsupported IDX rank " + std::to_string(rank));
    if (bytes.size() < 4 + 4 * static_cast<size_t>(rank)) throw FormatError(path, "truncated IDX header");
    IdxArray out;
    size_t total = 1;
    for (int i = 0; i < rank; ++i) {
        const uint8_t* p = bytes.data() + 4 + 4 * i;
        const uint32_t d = (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | p[3];
        if (d > (1u << 28) || (d > 0 && total > limits::kTensorElements / d))
            throw FormatError(path, "IDX dimension " + std::to_string(d) + " is implausible");
        out.dims.push_back(static_cast<int>(d));
        total *= d;
    }
    const size_t offset = 4 + 4 * static_cast<size_t>(rank);
    if (bytes.size() - offset != total)
        throw FormatError(path, "expected " + std::to_string(total) + " data bytes after the header, found " +
                                    std::to_string(bytes.size() - offset) + (bytes.size() - offset < total ? " (truncated)" : ""));
    out.data.assign(bytes.begin() + static_cast<std::ptrdiff_t>(offset), bytes.end());
    return out;
}

FashionMnist FashionMnist::load(const std::string& dir, const std::string& split) {
    if (split != "train" && split != "test")
        throw FormatError("split", "'" + split + "' is not a Fashion-MNIST split (train, test)");
    const std::string prefix = dir + "/" + (split == "train" ? "train" : "t10k");
    const std::string image_path = prefix + "-images-idx3-ubyte.gz";
    const std::string label_path = prefix + "-labels-idx1-ubyte.gz";
    auto images = read_idx(image_path);
    auto labels = read_idx(label_path);
    if (images.dims.size() != 3 || images.dims[1] != 28 || images.dims[2] != 28)
        throw FormatError(image_path, "expected N x 28 x 28 images");
    if (labels.dims.size() != 1) throw FormatError(label_path, "expected a vector of labels");
    if (labels.dims[0] != images.dims[0])
        throw FormatError(label_path, std::to_string(labels.dims[0]) + " labels for " + std::to_string(images.dims[0]) +
                                          " images in " + image_path);
    FashionMnist out;
    out.split_ = split;
    out.images_ = std::move(images.data);
    out.labels_.reserve(labels.data.size());
    for (size_t i = 0; i < labels.data.size(); ++i) {
        if (labels.data[i] > 9)
            throw FormatError(label_path, "label " + std::to_string(labels.data[i]) + " at index " + std::to_string(i) +
                                              " is not a class 0..9");
        out.labels_.push_back(labels.data[i]);
    }
    return out;
}

RawImage FashionMnist::image(size_t index) const {
    RawImage img;
    img.height = img.width = 28;
    img.channels = 1;
    const uint8_t* p = pixels(index);
    img.pixels.assign(p, p + 28 * 28);
    return img;
}

std::vector<std::string> FashionMnist::class_names() const {
    return {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"};
}

}  // namespace tp::data
