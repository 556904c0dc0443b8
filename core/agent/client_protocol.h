#pragma once
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace tp::agent {

// The client half of the agent protocol (docs/agent-protocol.md), transport-agnostic and Qt-free:
// the CLI's `--on`, the studio's AgentClient and the tests all speak through it.
//
// A connection begins with a handshake: the client's first line is a `hello` carrying a nonce, and
// every stdout line before the agent's answer that echoes the nonce is noise (an rc file's echo, a
// MOTD) and skipped. The answer says which protocol the agent speaks; an agent too old for us is
// an error that says to upgrade it, never a hang.

inline constexpr int kClientProtocol = 2;       // what this client writes
inline constexpr int kOldestAgentProtocol = 2;  // the oldest agent this client can work with

// A request line: {"v":2, "id":..., "cmd":..., ...fields} + '\n'.
std::string request_line(const nlohmann::json& id, const std::string& cmd,
                         const nlohmann::json& fields = nlohmann::json::object());

// The longest line clients read whole; longer events come as chunks from agents of protocol 3 on.
inline constexpr std::size_t kClientMaxLineBytes = 8u * 1024 * 1024;

// A job request for an agent that said `agent_protocol` in its hello: from protocol 3 on it asks
// for events longer than kClientMaxLineBytes in chunks (event_chunks.h); older agents get the
// plain request_line.
std::string job_request_line(const nlohmann::json& id, const std::string& cmd, const nlohmann::json& fields,
                             int agent_protocol);

// A random nonce for the handshake (hex).
std::string new_nonce();
std::string hello_line(const nlohmann::json& id, const std::string& nonce);

// One line from the agent's stdout as an event: a JSON object with a string "event" and an "id".
// Anything else is nullopt (noise before the handshake, garbage after it).
std::optional<nlohmann::json> parse_event(const std::string& line);

// What the answer to our hello says.
struct HelloOutcome {
    enum class Kind { NotYet, Ready, Upgrade, Failed };
    Kind kind = Kind::NotYet;
    nlohmann::json result;  // the hello result when Ready
    std::string message;    // why not, when Upgrade or Failed
};

// Looks at one stdout line during the handshake (hello sent with `id` and `nonce`). NotYet: noise or
// an unrelated line, keep reading. Upgrade: the agent speaks an older protocol (v1 answers our v2
// hello with unsupported_version); the message says to upgrade it. `agent_where` names the agent
// in messages (e.g. "/opt/tailprune/bin/tailprune on jetson").
HelloOutcome check_hello_line(const std::string& line, const nlohmann::json& id, const std::string& nonce,
                              const std::string& agent_where);

// Short text of a hello result: "tailprune 0.1.0, protocol 2, LibTorch 1.13.0, cpu (Intel ...), cuda:0 (H100)".
std::string describe_hello(const nlohmann::json& hello);
// Protocol 5: "Jetson ga10b: power mode MAXN (mode 0), GPU clocks locked at 1300.5 MHz" from hello's
// "board" field; empty where the agent reports no Jetson (or is older).
std::string describe_board(const nlohmann::json& hello);

}  // namespace tp::agent
