#include "core/agent/session_journal.h"

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/agent/protocol.h"

namespace tp::agent {

using nlohmann::json;

namespace {

[[noreturn]] void fail(const std::string& what, const std::string& path) {
    throw std::runtime_error(what + " " + path + ": " + std::strerror(errno));
}

std::string read_all(int fd) {
    std::string out;
    char buf[65536];
    for (;;) {
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        out.append(buf, static_cast<std::size_t>(n));
    }
    return out;
}

// Splits whole lines off `text` (up to its last '\n') and parses them; returns how many bytes
// that consumed. Lines that are not JSON objects are skipped.
std::size_t parse_lines(const std::string& text, std::vector<json>& out) {
    std::size_t start = 0;
    for (;;) {
        const std::size_t nl = text.find('\n', start);
        if (nl == std::string::npos) return start;
        json record = json::parse(text.begin() + static_cast<long>(start), text.begin() + static_cast<long>(nl), nullptr, false);
        if (record.is_object()) out.push_back(std::move(record));
        start = nl + 1;
    }
}

}  // namespace

long long record_seq(const json& record) {
    const auto it = record.find("seq");
    return it != record.end() && it->is_number_integer() ? it->get<long long>() : 0;
}

JournalWriter::JournalWriter(const std::string& path) {
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd_ < 0) fail("cannot open the journal", path);
    const std::string text = read_all(fd_);
    const std::size_t whole = parse_lines(text, at_open_);
    torn_bytes_ = text.size() - whole;
    if (torn_bytes_ > 0 && (::ftruncate(fd_, static_cast<off_t>(whole)) != 0 || ::fsync(fd_) != 0))
        fail("cannot cut the torn end of the journal", path);
    if (::lseek(fd_, 0, SEEK_END) < 0) fail("cannot seek in the journal", path);
    for (const json& r : at_open_) seq_ = std::max(seq_, record_seq(r));
}

JournalWriter::~JournalWriter() {
    if (fd_ >= 0) ::close(fd_);
}

long long JournalWriter::append(json record) {
    std::lock_guard<std::mutex> lock(mutex_);
    record["seq"] = seq_ + 1;
    const std::string line = to_line(record);
    std::size_t done = 0;
    while (done < line.size()) {
        const ssize_t n = ::write(fd_, line.data() + done, line.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) throw std::runtime_error(std::string("cannot write the journal: ") + std::strerror(errno));
        done += static_cast<std::size_t>(n);
    }
    if (::fdatasync(fd_) != 0) throw std::runtime_error(std::string("cannot flush the journal: ") + std::strerror(errno));
    return ++seq_;
}

long long JournalWriter::last_seq() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return seq_;
}

std::vector<json> JournalTail::read_new() {
    std::vector<json> out;
    const int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return out;
    struct stat st {};
    if (::fstat(fd, &st) == 0 && st.st_size < offset_) offset_ = 0;  // cut back by a recovering worker
    if (::lseek(fd, offset_, SEEK_SET) >= 0) offset_ += static_cast<long long>(parse_lines(read_all(fd), out));
    ::close(fd);
    return out;
}

std::vector<json> read_journal(const std::string& path) { return JournalTail(path).read_new(); }

}  // namespace tp::agent
