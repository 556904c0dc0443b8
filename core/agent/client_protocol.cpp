#include "core/agent/client_protocol.h"

#include <random>

#include "core/util/json_depth.h"

namespace tp::agent {

using nlohmann::json;

std::string request_line(const json& id, const std::string& cmd, const json& fields) {
    json req = fields.is_object() ? fields : json::object();
    req["v"] = kClientProtocol;
    req["id"] = id;
    req["cmd"] = cmd;
    return req.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
}

std::string job_request_line(const json& id, const std::string& cmd, const json& fields, int agent_protocol) {
    if (agent_protocol < 3) return request_line(id, cmd, fields);
    json with_limit = fields.is_object() ? fields : json::object();
    with_limit["max_line_bytes"] = kClientMaxLineBytes;
    return request_line(id, cmd, with_limit);
}

std::string new_nonce() {
    std::random_device rd;
    std::uniform_int_distribution<unsigned> byte(0, 255);
    static const char* hex = "0123456789abcdef";
    std::string out;
    for (int i = 0; i < 16; ++i) {
        const unsigned b = byte(rd);
        out += hex[b >> 4];
        out += hex[b & 15];
    }
    return out;
}

std::string hello_line(const json& id, const std::string& nonce) {
    return request_line(id, "hello", {{"nonce", nonce}});
}

std::optional<json> parse_event(const std::string& line) {
    if (line.empty() || line.find('{') == std::string::npos) return std::nullopt;
    // An agent on another machine is input from outside too: no document deeper than we ever send.
    if (json_nesting_depth(line, kMaxJsonDepth) > kMaxJsonDepth) return std::nullopt;
    json doc = json::parse(line, nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) return std::nullopt;
    const auto ev = doc.find("event");
    if (ev == doc.end() || !ev->is_string() || !doc.contains("id")) return std::nullopt;
    return doc;
}

HelloOutcome check_hello_line(const std::string& line, const json& id, const std::string& nonce,
                              const std::string& agent_where) {
    HelloOutcome out;
    auto event = parse_event(line);
    if (!event || (*event)["id"] != id) return out;  // noise before the agent starts, or not ours
    const std::string name = (*event)["event"].get<std::string>();
    if (name == "error") {
        const std::string code = event->value("code", "");
        const std::string message = event->value("message", "");
        if (code == "unsupported_version") {
            out.kind = HelloOutcome::Kind::Upgrade;
            out.message = "the agent " + agent_where + " speaks an older protocol (" + message +
                          "); this tailprune needs protocol " + std::to_string(kOldestAgentProtocol) +
                          ": upgrade the agent on the device (build the same tailprune version there, or run "
                          "`tailprune device install NAME`)";
        } else {
            out.kind = HelloOutcome::Kind::Failed;
            out.message = "the agent " + agent_where + " refused hello: " + code + ": " + message;
        }
        return out;
    }
    if (name != "done") return out;
    const json result = event->value("result", json::object());
    const int protocol = result.value("protocol", 0);
    if (protocol < kOldestAgentProtocol) {
        out.kind = HelloOutcome::Kind::Upgrade;
        out.message = "the agent " + agent_where + " speaks protocol " + std::to_string(protocol) +
                      "; this tailprune needs protocol " + std::to_string(kOldestAgentProtocol) +
                      ": upgrade the agent on the device (build the same tailprune version there, or run "
                      "`tailprune device install NAME`)";
        return out;
    }
    if (result.value("nonce", std::string()) != nonce) {
        out.kind = HelloOutcome::Kind::Failed;
        out.message = "the agent " + agent_where + " answered hello without our nonce: not a tailprune agent, or a "
                      "stale answer; refusing to go on";
        return out;
    }
    out.kind = HelloOutcome::Kind::Ready;
    out.result = result;
    return out;
}

std::string describe_hello(const json& hello) {
    std::string text = hello.value("agent", std::string("agent ?")) + ", protocol " +
                       std::to_string(hello.value("protocol", 0)) + ", LibTorch " + hello.value("torch", std::string("?"));
    if (hello.contains("devices") && hello["devices"].is_array())
        for (const auto& d : hello["devices"]) {
            text += ", " + d.value("device", std::string("?"));
            const std::string name = d.value("name", std::string());
            if (!name.empty()) text += " (" + name + ")";
        }
    if (const std::string board = describe_board(hello); !board.empty()) text += "; " + board;
    return text;
}

std::string describe_board(const json& hello) {
    const auto board = hello.find("board");
    if (board == hello.end() || !board->is_object() || !board->value("jetson", false)) return {};
    auto text_of = [](const json& j, const char* key) {
        const auto it = j.find(key);
        return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    std::string gpu = "?";
    if (const auto g = board->find("gpu"); g != board->end() && g->is_object()) gpu = text_of(*g, "gpu");
    std::string mode = "unknown";
    if (const auto m = board->find("power_mode"); m != board->end() && m->is_object()) {
        if (!text_of(*m, "name").empty()) mode = text_of(*m, "name");
        if (const auto id = m->find("id"); id != m->end() && id->is_number_integer()) mode += " (mode " + id->dump() + ")";
    }
    const std::string clocks = text_of(*board, "clocks");
    return "Jetson " + gpu + ": power mode " + mode + ", GPU clocks " + (clocks.empty() ? "unknown" : clocks);
}

}  // namespace tp::agent
