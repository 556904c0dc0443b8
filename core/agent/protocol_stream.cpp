#include "core/agent/protocol_stream.h"

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include "core/agent/protocol.h"

namespace tp::agent {

int take_over_stdout() {
    int fd = ::fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
    if (fd < 0) throw std::runtime_error(std::string("cannot duplicate stdout: ") + std::strerror(errno));
    if (::dup2(STDERR_FILENO, STDOUT_FILENO) < 0)
        throw std::runtime_error(std::string("cannot point stdout at stderr: ") + std::strerror(errno));
    return fd;
}

bool ProtocolWriter::write(const nlohmann::json& event) {
    std::string line = to_line(event);
    std::lock_guard<std::mutex> lock(mutex_);
    if (broken_) return false;
    std::size_t done = 0;
    while (done < line.size()) {
        ssize_t n = ::write(fd_, line.data() + done, line.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            broken_ = true;
            return false;
        }
        done += static_cast<std::size_t>(n);
    }
    return true;
}

LineReader::Status LineReader::next(std::string& line, const std::atomic<bool>& stop) {
    for (;;) {
        std::size_t nl = buffer_.find('\n');
        if (nl != std::string::npos) {
            bool was_skipping = skipping_;
            skipping_ = false;
            line.assign(buffer_, 0, nl);
            buffer_.erase(0, nl + 1);
            if (was_skipping) {
                line.clear();
                return Status::TooLong;
            }
            if (line.size() > max_bytes_) return Status::TooLong;
            return Status::Line;
        }
        if (buffer_.size() > max_bytes_) {  // drop what we have, keep skipping to the newline
            buffer_.clear();
            skipping_ = true;
        }
        if (eof_) {
            if (buffer_.empty() && !skipping_) return Status::Eof;
            bool was_skipping = skipping_;
            skipping_ = false;
            line.swap(buffer_);
            buffer_.clear();
            return was_skipping ? Status::TooLong : Status::Line;  // last line without '\n'
        }
        if (stop) return Status::Stopped;
        pollfd p{fd_, POLLIN, 0};
        int r = ::poll(&p, 1, poll_ms_);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) {
            eof_ = true;
            continue;
        }
        if (r == 0) continue;
        char chunk[65536];
        ssize_t n = ::read(fd_, chunk, sizeof chunk);
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
        if (n <= 0) {
            eof_ = true;
            continue;
        }
        buffer_.append(chunk, static_cast<std::size_t>(n));
    }
}

}  // namespace tp::agent
