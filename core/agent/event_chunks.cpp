#include "core/agent/event_chunks.h"

#include <algorithm>
#include <cstdint>
#include <stdexcept>

#include "core/agent/protocol.h"

namespace tp::agent {

std::vector<nlohmann::json> split_event(const nlohmann::json& event, std::size_t max_line_bytes) {
    const std::string line = event.dump();
    if (max_line_bytes == 0 || line.size() + 1 <= max_line_bytes) return {event};
    // Inside a JSON string a quote or backslash of the text takes two bytes: half the room, less
    // the envelope, always fits.
    const std::size_t piece = std::max<std::size_t>(1024, (max_line_bytes - 512) / 2);
    std::vector<std::string> pieces;
    for (std::size_t at = 0; at < line.size();) {
        std::size_t end = std::min(line.size(), at + piece);
        while (end < line.size() && end > at + 1 && (static_cast<unsigned char>(line[end]) & 0xC0) == 0x80) --end;
        pieces.push_back(line.substr(at, end - at));
        at = end;
    }
    std::vector<nlohmann::json> out;
    const std::string of = event.value("event", std::string());
    for (std::size_t i = 0; i < pieces.size(); ++i)
        out.push_back(make_event(event["id"], "chunk",
                                 {{"of", of}, {"index", i}, {"count", pieces.size()}, {"data", std::move(pieces[i])}}));
    return out;
}

std::optional<std::string> ChunkAssembler::feed(const nlohmann::json& chunk) {
    // Every field's type is checked before it is read: an agent may send anything, and a
    // nlohmann type_error is not the std::runtime_error the client handles (fuzz_event_chunks).
    const auto field = [&chunk](const char* name) -> const nlohmann::json* {
        if (!chunk.is_object()) return nullptr;
        const auto it = chunk.find(name);
        return it == chunk.end() ? nullptr : &*it;
    };
    const nlohmann::json* index_field = field("index");
    const nlohmann::json* count_field = field("count");
    const nlohmann::json* data = field("data");
    const nlohmann::json* of = field("of");
    const nlohmann::json* id = field("id");
    if (!index_field || !index_field->is_number_unsigned() || !count_field || !count_field->is_number_unsigned() ||
        !data || !data->is_string() || (of && !of->is_string()))
        throw std::runtime_error("a malformed chunk event");
    const auto index = index_field->get<std::uint64_t>();
    const auto count = count_field->get<std::uint64_t>();
    if (count == 0 || index >= count) throw std::runtime_error("a malformed chunk event");
    const std::string key = (id ? id->dump() : std::string("null")) + "/" + (of ? of->get<std::string>() : std::string());
    Partial& p = partial_[key];
    if (p.next == 0) p.count = count;
    if (index != p.next || count != p.count) {
        partial_.erase(key);
        throw std::runtime_error("chunk " + std::to_string(index) + " of " + std::to_string(count) +
                                 " came out of order");
    }
    if (p.text.size() + data->get_ref<const std::string&>().size() > kMaxAssembledEventBytes) {
        partial_.erase(key);
        throw std::runtime_error("a chunked event longer than " + std::to_string(kMaxAssembledEventBytes >> 20) + " MiB");
    }
    p.text += data->get_ref<const std::string&>();
    if (++p.next < p.count) return std::nullopt;
    std::string line = std::move(p.text);
    partial_.erase(key);
    return line;
}

}  // namespace tp::agent
