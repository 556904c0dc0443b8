#pragma once
// gzip in memory (zlib), for .json.gz profiles and calibrations. Decompression is bounded: a small
// crafted file ("gzip bomb") cannot make us allocate more than `max_bytes`.
#include <cstdint>
#include <string>

namespace tp {

bool has_gzip_magic(const std::string& bytes);  // 1f 8b

// Throws tp::FormatError naming `where` on corrupt or truncated data, or when the result would pass
// `max_bytes`. Concatenated gzip members are read as one stream, as gzip(1) does.
std::string gunzip(const std::string& compressed, std::uint64_t max_bytes, const std::string& where);

std::string gzip(const std::string& plain, int level = 6);

}  // namespace tp
