#pragma once
// Reading files from others and writing ours so that a crash never leaves half a file.
#include <cstdint>
#include <string>

#include "core/util/input_limits.h"

namespace tp {

// The whole file, refused (tp::FormatError) when it is larger than `max_bytes` before anything is
// read. A gzip file (name ending in .gz, or the gzip magic) is decompressed, to at most
// limits::kDecompressedBytes, so .json.gz works wherever .json does.
std::string read_text_file(const std::string& path, std::uint64_t max_bytes = limits::kJsonFileBytes);

bool is_gzip_path(const std::string& path);  // ends in ".gz"

// A file that appears at `path` whole or not at all. Bytes go to a new temporary file in the same
// folder (created with O_EXCL, so a planted file or link there is never followed or truncated);
// commit() flushes it to disk (fsync), checks close, renames it over `path` and syncs the folder.
// A DurableFile destroyed without commit() removes its temporary file and leaves `path` untouched.
class DurableFile {
public:
    explicit DurableFile(std::string path);  // throws tp::FormatError when the folder is not writable
    ~DurableFile();
    DurableFile(const DurableFile&) = delete;
    DurableFile& operator=(const DurableFile&) = delete;

    void write(const void* data, std::size_t size);  // throws FormatError (disk full, I/O error)
    void write(const std::string& bytes) { write(bytes.data(), bytes.size()); }
    void commit();

private:
    std::string path_;
    std::string temporary_;
    int fd_ = -1;
};

// DurableFile in one call; a path ending in .gz is written gzip-compressed.
void write_text_file_atomically(const std::string& path, const std::string& text);

}  // namespace tp
