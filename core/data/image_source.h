#pragma once
// Torch-free: labelled images as the evaluator and trainer read them. An image is 8-bit,
// interleaved (HWC), any size; the model card's input pipeline turns it into the model's input.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace tp::data {

struct RawImage {
    int height = 0, width = 0, channels = 0;
    std::vector<uint8_t> pixels;  // height * width * channels, row-major HWC
};

class ImageSource {
public:
    virtual ~ImageSource() = default;
    virtual size_t size() const = 0;
    virtual int label(size_t index) const = 0;
    virtual RawImage image(size_t index) const = 0;  // throws tp::FormatError naming the image
    virtual std::vector<std::string> class_names() const = 0;
    virtual std::string description() const = 0;     // e.g. "fashion-mnist test"
    std::vector<int> labels() const;
};

}  // namespace tp::data
