#include "core/util/gzip.h"

#include <zlib.h>

#include <stdexcept>

#include "core/util/format_error.h"

namespace tp {

bool has_gzip_magic(const std::string& bytes) {
    return bytes.size() >= 2 && static_cast<unsigned char>(bytes[0]) == 0x1f && static_cast<unsigned char>(bytes[1]) == 0x8b;
}

std::string gunzip(const std::string& compressed, std::uint64_t max_bytes, const std::string& where) {
    z_stream z{};
    if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) throw FormatError(where, "cannot start gzip decompression");
    std::string out;
    char chunk[1 << 16];
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
    z.avail_in = static_cast<uInt>(compressed.size());
    if (compressed.size() > UINT32_MAX) {
        inflateEnd(&z);
        throw FormatError(where, "compressed file too large");
    }
    int rc = Z_OK;
    while (true) {
        z.next_out = reinterpret_cast<Bytef*>(chunk);
        z.avail_out = sizeof chunk;
        rc = inflate(&z, Z_NO_FLUSH);
        if (rc != Z_OK && rc != Z_STREAM_END) break;
        const std::size_t produced = sizeof chunk - z.avail_out;
        if (out.size() + produced > max_bytes) {
            inflateEnd(&z);
            throw FormatError(where, "decompresses to more than " + std::to_string(max_bytes >> 20) +
                                         " MiB (the limit for a compressed file)");
        }
        out.append(chunk, produced);
        if (rc == Z_STREAM_END) {
            if (z.avail_in == 0) break;
            if (inflateReset(&z) != Z_OK) break;  // another gzip member follows
            continue;
        }
        if (z.avail_in == 0 && produced == 0) {
            rc = Z_BUF_ERROR;  // input ended inside the stream
            break;
        }
    }
    const std::string message = z.msg ? z.msg : "";
    inflateEnd(&z);
    if (rc != Z_STREAM_END)
        throw FormatError(where, "corrupt gzip data (" + (message.empty() ? std::string("the stream ends early") : message) + ")");
    return out;
}

std::string gzip(const std::string& plain, int level) {
    if (plain.size() > UINT32_MAX) throw std::runtime_error("too large to gzip in one piece");
    z_stream z{};
    if (deflateInit2(&z, level, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        throw std::runtime_error("cannot start gzip compression");
    std::string out;
    out.resize(deflateBound(&z, static_cast<uLong>(plain.size())));
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(plain.data()));
    z.avail_in = static_cast<uInt>(plain.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    const int rc = deflate(&z, Z_FINISH);
    out.resize(z.total_out);
    deflateEnd(&z);
    if (rc != Z_STREAM_END) throw std::runtime_error("gzip compression failed");
    return out;
}

}  // namespace tp
