#include "core/util/file_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <random>

#include "core/util/format_error.h"
#include "core/util/gzip.h"

namespace tp {
namespace {

std::string errno_text() { return std::strerror(errno); }

std::string folder_of(const std::string& path) {
    const auto slash = path.rfind('/');
    if (slash == std::string::npos) return ".";
    return slash == 0 ? "/" : path.substr(0, slash);
}

std::string random_suffix() {
    static thread_local std::mt19937_64 rng{std::random_device{}()};
    static const char letters[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    std::string out;
    for (int i = 0; i < 10; ++i) out += letters[rng() % (sizeof letters - 1)];
    return out;
}

std::string mib(std::uint64_t bytes) { return std::to_string(bytes >> 20) + " MiB"; }

}  // namespace

bool is_gzip_path(const std::string& path) { return path.size() > 3 && path.compare(path.size() - 3, 3, ".gz") == 0; }

std::string read_text_file(const std::string& path, std::uint64_t max_bytes) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw FormatError(path, "cannot open: " + errno_text());
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        throw FormatError(path, "not a regular file");
    }
    if (static_cast<std::uint64_t>(st.st_size) > max_bytes) {
        ::close(fd);
        throw FormatError(path, "is " + mib(static_cast<std::uint64_t>(st.st_size)) + "; the limit for this kind of file is " + mib(max_bytes));
    }
    std::string bytes(static_cast<std::size_t>(st.st_size), '\0');
    std::size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::read(fd, bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            const std::string why = errno_text();
            ::close(fd);
            throw FormatError(path, "read error: " + why);
        }
        if (n == 0) break;  // shrank while we read
        done += static_cast<std::size_t>(n);
    }
    ::close(fd);
    bytes.resize(done);
    if (is_gzip_path(path) || has_gzip_magic(bytes)) return gunzip(bytes, limits::kDecompressedBytes, path);
    return bytes;
}

DurableFile::DurableFile(std::string path) : path_(std::move(path)) {
    const std::string folder = folder_of(path_);
    const std::string name = path_.substr(path_.rfind('/') == std::string::npos ? 0 : path_.rfind('/') + 1);
    for (int attempt = 0; attempt < 16 && fd_ < 0; ++attempt) {
        temporary_ = folder + "/." + name + ".tmp-" + random_suffix();
        fd_ = ::open(temporary_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
        if (fd_ < 0 && errno != EEXIST) break;
    }
    if (fd_ < 0) throw FormatError(path_, "cannot create a file in " + folder + ": " + errno_text());
}

DurableFile::~DurableFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!temporary_.empty()) ::unlink(temporary_.c_str());
}

void DurableFile::write(const void* data, std::size_t size) {
    const char* p = static_cast<const char*>(data);
    while (size > 0) {
        const ssize_t n = ::write(fd_, p, size);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) throw FormatError(path_, "write failed: " + errno_text());
        p += n;
        size -= static_cast<std::size_t>(n);
    }
}

void DurableFile::commit() {
    if (::fsync(fd_) != 0) throw FormatError(path_, "cannot flush to disk: " + errno_text());
    const int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) throw FormatError(path_, "write failed on close: " + errno_text());
    // Keep the permissions of the file being replaced (a shared store's group bits, ...).
    struct stat old {};
    if (::stat(path_.c_str(), &old) == 0) ::chmod(temporary_.c_str(), old.st_mode & 07777);
    if (std::rename(temporary_.c_str(), path_.c_str()) != 0)
        throw FormatError(path_, "cannot replace: " + errno_text());
    temporary_.clear();
    const int dir = ::open(folder_of(path_).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir >= 0) {  // the rename itself reaches the disk
        ::fsync(dir);
        ::close(dir);
    }
}

void write_text_file_atomically(const std::string& path, const std::string& text) {
    DurableFile file(path);
    if (is_gzip_path(path)) file.write(gzip(text));
    else file.write(text);
    file.commit();
}

}  // namespace tp
