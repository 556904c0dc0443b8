#pragma once
// Events too long for the reader's line limit, sent in pieces (protocol 3). A sweep's `done` event
// carries the whole profile (the H100 fp16 profile is 14.6 MB of JSON); a client names the longest
// line it takes in a request's "max_line_bytes", and the agent sends any longer event of that job as
//   {"id": ID, "event": "chunk", "of": "done", "index": 0..count-1, "count": N, "data": "<text>"}
// whose data, joined in order, is the event's own line. The client joins them back (ChunkAssembler)
// and handles the result as if it had come in one line.
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace tp::agent {

// The smallest "max_line_bytes" an agent accepts (a chunk needs room for its envelope).
inline constexpr std::size_t kMinChunkedLineBytes = 4096;
// What a client accepts in one reassembled event.
inline constexpr std::size_t kMaxAssembledEventBytes = 1024u * 1024 * 1024;

// `event` as one line when it fits in `max_line_bytes` (0: no limit), else as chunk events that
// each fit. Pieces are cut at UTF-8 character boundaries.
std::vector<nlohmann::json> split_event(const nlohmann::json& event, std::size_t max_line_bytes);

// Joins chunk events per (id, of). feed() returns the whole event's line once its last chunk has
// arrived; a chunk out of order, with a changed count, or past kMaxAssembledEventBytes throws
// std::runtime_error (the client reports the agent as broken).
class ChunkAssembler {
public:
    std::optional<std::string> feed(const nlohmann::json& chunk);

private:
    struct Partial {
        std::size_t count = 0, next = 0;
        std::string text;
    };
    std::map<std::string, Partial> partial_;
};

}  // namespace tp::agent
