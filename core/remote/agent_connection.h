#pragma once
#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/agent/event_chunks.h"
#include "core/remote/child_process.h"
#include "core/remote/connection_error.h"
#include "core/remote/device_list.h"
#include "core/remote/slurm_command.h"
#include "core/remote/ssh_command.h"

namespace tp::remote {

struct ConnectOptions {
    DeviceEntry device;
    std::string local_agent;          // the `tailprune` to start for the local transport
    SshOptions ssh;
    double handshake_timeout_s = 90;  // includes a passphrase prompt on the first connection
    SlurmLaunch slurm;                // transport slurm: the login device and the job's name
    // Called about every 100 ms while the hello is awaited (a Slurm allocation may be pending);
    // it may throw to give up (the transport is then ended).
    std::function<void()> on_handshake_wait;
};

// A request the agent answered with an `error` event (bad request, unavailable, failed, ...).
struct AgentRequestError : std::runtime_error {
    AgentRequestError(std::string code, const std::string& message)
        : std::runtime_error(message), code(std::move(code)) {}
    std::string code;
};

using EventHandler = std::function<void(const nlohmann::json& event)>;

// Keeping a long call honest over a link that can freeze without closing (protocol 4): send a
// `heartbeat` request every `heartbeat_s`, and give the link up (LinkLost) when nothing at all has
// come from the agent for `idle_timeout_s`. Zero turns either off.
struct CallTimers {
    double heartbeat_s = 0;
    double idle_timeout_s = 0;
};

// One agent process reached through a transport (a local child, or OpenSSH to a device), with the
// handshake done: the CLI's `--on NAME` and `device check` use it. Blocking; one request at a time.
class AgentConnection {
public:
    // Starts the transport and does the handshake. Throws ConnectionError (with its kind).
    static std::unique_ptr<AgentConnection> open(const ConnectOptions& options);
    ~AgentConnection();

    const nlohmann::json& hello() const { return hello_; }
    double handshake_ms() const { return handshake_ms_; }        // start to the hello answer
    const std::vector<std::string>& skipped_lines() const { return noise_; }  // rc-file noise etc.
    const std::string& where() const { return where_; }
    std::string stderr_tail() const { return err_; }

    // Sends one request and reads its events until its `done` (returns its result) or `error`
    // (throws AgentRequestError). Other events go to `on_event`. When `interrupt` turns true a
    // `cancel` is sent once and the request's final event is still awaited. Throws ConnectionError
    // when the link or the agent goes away.
    nlohmann::json call(const std::string& cmd, const nlohmann::json& fields, const EventHandler& on_event = {},
                        const std::atomic<bool>* interrupt = nullptr, const CallTimers& timers = {});

    // The agent's protocol version from its hello (0 before the handshake).
    int protocol() const;

    // Ends the transport at once (kills ssh): for a link that is known to be dead.
    void abandon();

    // Round trip of one `hello` on the open connection, in milliseconds.
    double ping();

    // Closes the agent's stdin and waits for it to exit.
    void close();

private:
    AgentConnection(ConnectOptions options, ChildProcess child, std::string where);
    void handshake();
    // Reads until a whole stdout line is there; false at end of output. `deadline_ms` < 0: none.
    bool next_line(std::string& line, double deadline_ms, const std::function<void()>& on_idle = {});
    [[noreturn]] void fail_from_exit(bool after_handshake);

    ConnectOptions options_;
    ChildProcess child_;
    std::string where_;
    std::string out_, err_;
    bool out_eof_ = false;
    nlohmann::json hello_;
    agent::ChunkAssembler chunks_;
    double handshake_ms_ = 0;
    std::vector<std::string> noise_;
    long long next_id_ = 1;
};

// Where a connection goes, in words: "device 'jetson' (nvidia@10.0.0.7:22)" or "the local agent".
std::string describe_target(const DeviceEntry& device);

// Where a profile measured on the device was reached, for DeviceInfo::host: "local", or the ssh
// destination with its port ("nvidia@jetson.lab:22").
std::string reached_on(const DeviceEntry& device);

// The argv that starts the agent for a device: the local binary, or ssh with the remote command.
std::vector<std::string> agent_argv(const ConnectOptions& options);

// Runs `attempt` and, when the link drops during work (ConnectionFailure::LinkLost), waits with
// backoff (1, 2, 4, ... s, up to `max_tries`) and runs it again; `reconnecting` is told each wait.
// Refused connections, host-key and authentication failures are never retried.
nlohmann::json with_link_retries(const std::function<nlohmann::json(int attempt)>& attempt,
                                 const std::function<void(const ConnectionError&, double wait_s)>& reconnecting,
                                 int max_tries = 5, const std::atomic<bool>* interrupt = nullptr);

}  // namespace tp::remote
