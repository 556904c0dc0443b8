#pragma once
#include <string>

namespace tp::store {

// SHA-256 of `data` as 64 lowercase hex digits (FIPS 180-4). Hand-written (about 60 lines) so the
// store's content hashing needs no crypto library on the headless/edge builds that carry it.
std::string sha256_hex(const std::string& data);

}  // namespace tp::store
