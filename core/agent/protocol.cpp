#include "core/agent/protocol.h"

#include <algorithm>

#include "core/util/json_depth.h"

namespace tp::agent {

using nlohmann::json;

bool is_known_command(const std::string& cmd) {
    return std::any_of(std::begin(kCommands), std::end(kCommands), [&](const char* c) { return cmd == c; });
}

std::variant<Request, ProtocolError> parse_request(const std::string& line) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) return ProtocolError{nullptr, "empty", "empty line"};
    // Before parsing: a parsed document is copied and destroyed recursively, one stack frame a level.
    if (json_nesting_depth(line, kMaxJsonDepth) > kMaxJsonDepth)
        return ProtocolError{nullptr, "bad_request",
                             "the request nests deeper than " + std::to_string(kMaxJsonDepth) + " levels"};
    json doc = json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded()) {
        std::string shown = line.substr(0, 80);
        return ProtocolError{nullptr, "parse", "not a JSON object: '" + shown + (line.size() > 80 ? "...'" : "'")};
    }
    if (!doc.is_object()) return ProtocolError{nullptr, "parse", "a request must be a JSON object"};
    const auto found = doc.find("id");
    const json id = found != doc.end() && (found->is_string() || found->is_number_integer() || found->is_number_unsigned())
                        ? *found
                        : json(nullptr);
    if (id.is_null())
        return ProtocolError{nullptr, "bad_request", "the request needs an \"id\" (string or integer)"};
    if (doc.contains("v")) {
        const json& v = doc["v"];
        if (!v.is_number_integer()) return ProtocolError{id, "bad_request", "\"v\" must be an integer"};
        if (v.get<long long>() < kOldestProtocol || v.get<long long>() > kProtocolVersion)
            return ProtocolError{id, "unsupported_version",
                                 "protocol version " + v.dump() + " is not supported (this agent speaks " +
                                     std::to_string(kOldestProtocol) + " to " + std::to_string(kProtocolVersion) + ")"};
    }
    if (!doc.contains("cmd") || !doc["cmd"].is_string())
        return ProtocolError{id, "bad_request", "the request needs a \"cmd\" string"};
    std::string cmd = doc["cmd"].get<std::string>();
    if (!is_known_command(cmd)) {
        std::string known;
        for (const char* c : kCommands) known += std::string(known.empty() ? "" : ", ") + c;
        return ProtocolError{id, "unknown_command", "unknown command '" + cmd + "' (known: " + known + ")"};
    }
    return Request{id, cmd, std::move(doc)};
}

json make_event(const json& id, const std::string& event, const json& fields) {
    json e = {{"v", kProtocolVersion}, {"id", id}, {"event", event}};
    if (fields.is_object())
        for (auto it = fields.begin(); it != fields.end(); ++it) e[it.key()] = it.value();
    return e;
}

json make_error(const json& id, const std::string& code, const std::string& message) {
    return make_event(id, "error", {{"code", code}, {"message", message}});
}

json make_error(const ProtocolError& error) { return make_error(error.id, error.code, error.message); }

std::string to_line(const json& event) {
    return event.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace tp::agent
