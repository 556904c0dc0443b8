#pragma once
// A detached session's journal (journal.jsonl, docs/remote-devices.md): one JSON record per line,
// each with its sequence number "seq" (1, 2, ...), appended and fsync'd one at a time, so a record
// that was reported to a client is on disk. A power loss can leave the last line torn: opening the
// journal for writing cuts it back to the last whole record, and readers ignore a torn tail.
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace tp::agent {

class JournalWriter {
public:
    // Opens (creating) the journal and recovers a torn tail; numbering continues after the last
    // whole record. Throws std::runtime_error when the file cannot be opened or repaired.
    explicit JournalWriter(const std::string& path);
    ~JournalWriter();
    JournalWriter(const JournalWriter&) = delete;
    JournalWriter& operator=(const JournalWriter&) = delete;

    // Appends `record` with the next "seq", flushes it to disk, returns the seq. Thread-safe.
    long long append(nlohmann::json record);
    long long last_seq() const;
    std::size_t torn_bytes_dropped() const { return torn_bytes_; }
    const std::vector<nlohmann::json>& records_at_open() const { return at_open_; }

private:
    int fd_ = -1;
    mutable std::mutex mutex_;
    long long seq_ = 0;
    std::size_t torn_bytes_ = 0;
    std::vector<nlohmann::json> at_open_;  // what an earlier worker had journaled
};

// Follows a journal another process appends to: each read_new() returns the whole records added
// since the last call (a line still being written is left for the next call).
class JournalTail {
public:
    explicit JournalTail(std::string path) : path_(std::move(path)) {}
    std::vector<nlohmann::json> read_new();

private:
    std::string path_;
    long long offset_ = 0;
};

// Every whole record of a journal, in order (a torn last line and unreadable lines are left out).
std::vector<nlohmann::json> read_journal(const std::string& path);

// The seq of a record (0 when it has none).
long long record_seq(const nlohmann::json& record);

}  // namespace tp::agent
