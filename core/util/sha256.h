#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace tp {

// SHA-256 (FIPS 180-4), streaming. Hand-written (about 80 lines) so the store's content hashes and
// the weights' identity need no crypto library on the headless/edge builds that carry the core.
class Sha256 {
public:
    void update(const void* data, std::size_t size);
    std::string hex_digest();  // 64 lowercase hex digits; ends the stream

private:
    uint32_t state_[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    unsigned char buffer_[64] = {};
    std::size_t buffered_ = 0;
    uint64_t length_ = 0;  // bytes seen
};

std::string sha256_hex(const std::string& data);

// The weights' identity in profiles, schedules and the store. Throws FormatError(path, ...) when the
// file cannot be read.
std::string sha256_file_hex(const std::string& path);

}  // namespace tp
