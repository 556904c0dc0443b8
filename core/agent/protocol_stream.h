#pragma once
#include <atomic>
#include <mutex>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace tp::agent {

// The protocol owns its stream: keeps a private duplicate of stdout for protocol lines and points
// fd 1 at stderr, so whatever a library prints to stdout lands on stderr instead. Returns the
// private descriptor; throws std::runtime_error if the descriptors cannot be rearranged.
int take_over_stdout();

// Writes whole protocol lines to a descriptor from any thread. A failed write (reader gone:
// EPIPE) marks the writer broken; later writes are dropped. SIGPIPE must be ignored by the caller.
class ProtocolWriter {
public:
    explicit ProtocolWriter(int fd) : fd_(fd) {}
    virtual ~ProtocolWriter() = default;
    // A session worker's writer journals the events instead (session_worker.cpp).
    virtual bool write(const nlohmann::json& event);
    bool broken() const { return broken_; }

private:
    int fd_;
    std::mutex mutex_;
    std::atomic<bool> broken_{false};
};

// Reads '\n'-terminated lines from a descriptor with poll(), so the caller can stop waiting when
// `stop` becomes true (checked every `poll_ms`). A line longer than `max_bytes` is skipped to its
// end and reported as too long.
class LineReader {
public:
    enum class Status { Line, TooLong, Eof, Stopped };
    LineReader(int fd, std::size_t max_bytes, int poll_ms = 100) : fd_(fd), max_bytes_(max_bytes), poll_ms_(poll_ms) {}
    Status next(std::string& line, const std::atomic<bool>& stop);

private:
    int fd_;
    std::size_t max_bytes_;
    int poll_ms_;
    std::string buffer_;
    bool skipping_ = false;
    bool eof_ = false;
};

}  // namespace tp::agent
