#pragma once
// Torch-free: image files for `tailprune run` (decoded with stb_image: PNG, JPEG, BMP, PGM/PPM,
// TGA, GIF's first frame). The model card's input pipeline turns a RawImage into model input.
#include <string>
#include <vector>

#include "core/data/image_source.h"

namespace tp::data {

// 8-bit HWC pixels; an alpha channel is dropped (2 -> 1, 4 -> 3 channels). Throws tp::FormatError
// naming the file when it cannot be read or decoded.
RawImage read_image_file(const std::string& path);

// `path` itself when it is a file; the image files directly inside it (by extension, sorted by name)
// when it is a folder. Throws tp::FormatError when it does not exist or the folder has no images.
std::vector<std::string> image_files_at(const std::string& path);

}  // namespace tp::data
