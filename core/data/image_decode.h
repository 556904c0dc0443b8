#pragma once
// Torch-free: the one image decoder (stb_image: PNG, JPEG, BMP, PGM/PPM, TGA, GIF's first frame),
// shared by ImageFolder datasets and `tailprune run`'s image files. The header is read first and
// an image larger than tp::limits::kImageSide / kImagePixels is refused before any pixel is decoded.
#include <string>

#include "core/data/image_source.h"

namespace tp::data {

// `channels` 1 or 3 converts to that many channels; 0 keeps what the file has, minus alpha
// (2 -> 1, 4 -> 3). Throws tp::FormatError naming the file when it cannot be read or decoded, or
// is over the limits.
RawImage decode_image_file(const std::string& path, int channels);

}  // namespace tp::data
