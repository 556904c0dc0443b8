#include "core/remote/agent_connection.h"

#include <chrono>
#include <csignal>
#include <thread>

#include <poll.h>

#include "core/agent/client_protocol.h"

namespace tp::remote {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

constexpr std::size_t kStderrKeep = 16 * 1024;
// Agents of protocol 2 send a sweep's whole profile in one line; from 3 on lines stay under
// agent::kClientMaxLineBytes (longer events come in chunks).
constexpr std::size_t kMaxEventLine = 512u * 1024 * 1024;
constexpr std::size_t kMaxNoiseLines = 200;

double ms_since(Clock::time_point start) {
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

}  // namespace

std::string describe_target(const DeviceEntry& d) {
    if (d.is_slurm())
        return "device '" + d.name + "' (a Slurm task" + (d.login.empty() ? "" : ", srun on '" + d.login + "'") +
               (d.partition.empty() ? "" : ", partition " + d.partition) + ")";
    if (d.is_local()) return d.name == "local" ? "the local agent" : "device '" + d.name + "' (this machine)";
    std::string where = d.destination();
    if (d.port) where += ":" + std::to_string(d.port);
    return "device '" + d.name + "' (" + where + ")";
}

std::string reached_on(const DeviceEntry& d) {
    if (d.is_local()) return "local";
    if (d.is_slurm()) return "slurm:" + (d.login.empty() ? std::string("local") : d.login) +
                             (d.partition.empty() ? "" : "/" + d.partition);
    return d.destination() + ":" + std::to_string(d.port ? d.port : 22);
}

std::vector<std::string> agent_argv(const ConnectOptions& o) {
    if (o.device.is_local()) return {o.device.agent.empty() ? o.local_agent : o.device.agent, "agent"};
    if (o.device.is_slurm()) return slurm_agent_argv(o.device, o.slurm, o.ssh, {"agent"});
    return ssh_argv(o.device, o.ssh, {"agent"});
}

std::unique_ptr<AgentConnection> AgentConnection::open(const ConnectOptions& options) {
    const std::string where = describe_target(options.device);
    std::map<std::string, std::string> env;
    if (options.device.is_local()) env = options.device.env;  // remote env travels in the command line
    else if (options.device.is_slurm()) env = slurm_tool_environment(options.device, options.slurm, options.ssh);
    else env = ssh_environment(options.ssh);
    ChildProcess child = [&] {
        try {
            return ChildProcess::start(agent_argv(options), env);
        } catch (const std::runtime_error& e) {
            throw ConnectionError(options.device.is_local() ? ConnectionFailure::AgentMissing : ConnectionFailure::Other,
                                  where + ": " + e.what());
        }
    }();
    std::unique_ptr<AgentConnection> c(new AgentConnection(options, std::move(child), where));
    c->handshake();
    return c;
}

AgentConnection::AgentConnection(ConnectOptions options, ChildProcess child, std::string where)
    : options_(std::move(options)), child_(std::move(child)), where_(std::move(where)) {}

AgentConnection::~AgentConnection() { close(); }

void AgentConnection::close() {
    child_.close_stdin();
    if (!child_.wait_for(5000)) child_.signal(SIGTERM);
}

bool AgentConnection::next_line(std::string& line, double deadline_ms, const std::function<void()>& on_idle) {
    const auto start = Clock::now();
    for (;;) {
        const auto nl = out_.find('\n');
        if (nl != std::string::npos) {
            line = out_.substr(0, nl);
            if (!line.empty() && line.back() == '\r') line.pop_back();
            out_.erase(0, nl + 1);
            return true;
        }
        if (out_.size() > kMaxEventLine)
            throw ConnectionError(ConnectionFailure::Other, where_ + ": the agent sent a line longer than " +
                                                                std::to_string(kMaxEventLine >> 20) + " MiB");
        if (out_eof_) {
            if (!out_.empty()) {  // a last line without its newline
                line.swap(out_);
                out_.clear();
                return true;
            }
            return false;
        }
        if (deadline_ms >= 0 && ms_since(start) > deadline_ms) return false;
        pollfd fds[2] = {{child_.stdout_fd(), POLLIN, 0}, {child_.stderr_fd(), POLLIN, 0}};
        const int n = ::poll(fds, child_.stderr_fd() >= 0 ? 2 : 1, 100);
        if (n > 0 && (fds[1].revents & (POLLIN | POLLHUP))) {
            read_available(child_.stderr_fd(), err_);
            if (err_.size() > kStderrKeep) err_.erase(0, err_.size() - kStderrKeep);
        }
        if (n > 0 && (fds[0].revents & (POLLIN | POLLHUP | POLLERR)))
            if (!read_available(child_.stdout_fd(), out_)) out_eof_ = true;
        if (on_idle) on_idle();
    }
}

void AgentConnection::fail_from_exit(bool after_handshake) {
    // stdout is closed: the process is ending. Collect its status and what it said on stderr.
    auto status = child_.wait_for(5000);
    if (!status) {
        child_.signal(SIGTERM);
        status = child_.wait_for(2000);
    }
    read_available(child_.stderr_fd(), err_);
    const bool ssh = !options_.device.is_local() && (!options_.device.is_slurm() || options_.slurm.via_login());
    if (ssh && options_.device.is_slurm()) {  // srun over the login node's ssh: its key and name
        const DeviceEntry& login = options_.slurm.login;
        throw classify_exit(status.value_or(255), err_, after_handshake, where_, options_.device.agent, true,
                            known_hosts_file(login), known_hosts_name(login));
    }
    throw classify_exit(status.value_or(255), err_, after_handshake, where_,
                        ssh ? options_.device.agent : options_.local_agent, ssh,
                        ssh ? known_hosts_file(options_.device) : std::string(),
                        ssh ? known_hosts_name(options_.device) : std::string());
}

void AgentConnection::handshake() {
    const auto start = Clock::now();
    const json id = "hello-" + std::to_string(next_id_++);
    const std::string nonce = agent::new_nonce();
    if (!child_.write_all(agent::hello_line(id, nonce))) fail_from_exit(false);
    const double timeout_ms = options_.handshake_timeout_s * 1000;
    std::string line;
    for (;;) {
        const double left = timeout_ms - ms_since(start);
        if (left <= 0 || !next_line(line, left, options_.on_handshake_wait)) {
            if (out_eof_) fail_from_exit(false);
            child_.signal(SIGTERM);
            throw ConnectionError(ConnectionFailure::Handshake,
                                  where_ + ": no answer to hello within " +
                                      std::to_string(static_cast<int>(options_.handshake_timeout_s)) + " s" +
                                      (err_.empty() ? "" : " (" + err_.substr(err_.size() > 300 ? err_.size() - 300 : 0) + ")"));
        }
        agent::HelloOutcome h = agent::check_hello_line(line, id, nonce, "at " + where_);
        switch (h.kind) {
            case agent::HelloOutcome::Kind::NotYet:
                if (noise_.size() < kMaxNoiseLines) noise_.push_back(line.substr(0, 200));
                continue;
            case agent::HelloOutcome::Kind::Upgrade:
                throw ConnectionError(ConnectionFailure::Upgrade, h.message);
            case agent::HelloOutcome::Kind::Failed:
                throw ConnectionError(ConnectionFailure::Handshake, h.message);
            case agent::HelloOutcome::Kind::Ready:
                hello_ = std::move(h.result);
                handshake_ms_ = ms_since(start);
                return;
        }
    }
}

int AgentConnection::protocol() const { return hello_.is_object() ? hello_.value("protocol", 0) : 0; }

void AgentConnection::abandon() {
    child_.signal(SIGKILL);
    child_.wait_for(2000);
}

json AgentConnection::call(const std::string& cmd, const json& fields, const EventHandler& on_event,
                           const std::atomic<bool>* interrupt, const CallTimers& timers) {
    const json id = next_id_++;
    const bool job = cmd != "hello" && cmd != "cancel" && cmd != "heartbeat";
    const int protocol = this->protocol();
    if (!child_.write_all(job ? agent::job_request_line(id, cmd, fields, protocol) : agent::request_line(id, cmd, fields)))
        fail_from_exit(true);
    bool cancel_sent = false;
    auto last_line = Clock::now(), last_heartbeat = Clock::now();
    auto maybe_cancel = [&] {
        if (interrupt && interrupt->load() && !cancel_sent) {
            cancel_sent = true;
            child_.write_all(agent::request_line("cancel-" + std::to_string(next_id_++), "cancel", {{"target", id}}));
        }
        if (timers.heartbeat_s > 0 && ms_since(last_heartbeat) >= timers.heartbeat_s * 1000) {
            last_heartbeat = Clock::now();
            child_.write_all(agent::request_line("heartbeat-" + std::to_string(next_id_++), "heartbeat", json::object()));
        }
        if (timers.idle_timeout_s > 0 && ms_since(last_line) > timers.idle_timeout_s * 1000) {
            abandon();
            throw ConnectionError(ConnectionFailure::LinkLost,
                                  where_ + ": no word from the agent for " + std::to_string(static_cast<int>(timers.idle_timeout_s)) +
                                      " s (the link froze)");
        }
    };
    std::string line;
    for (;;) {
        if (!next_line(line, -1, maybe_cancel)) fail_from_exit(true);
        last_line = Clock::now();
        auto event = agent::parse_event(line);
        if (!event) continue;  // not ours to judge: the agent's stdout is protocol only after hello
        if ((*event)["id"] != id) continue;  // e.g. the answer to our cancel
        if ((*event)["event"] == "chunk") {  // a long event in pieces (protocol 3)
            std::optional<std::string> whole;
            try {
                whole = chunks_.feed(*event);
            } catch (const std::exception& e) {
                throw ConnectionError(ConnectionFailure::Other, where_ + ": " + e.what());
            }
            if (!whole) continue;
            event = agent::parse_event(*whole);
            if (!event || (*event)["id"] != id)
                throw ConnectionError(ConnectionFailure::Other, where_ + ": a chunked event did not join into one");
        }
        const std::string name = (*event)["event"].get<std::string>();
        if (name == "done") return event->value("result", json::object());
        if (name == "error")
            throw AgentRequestError(event->value("code", "failed"),
                                    where_ + ": " + event->value("code", "failed") + ": " + event->value("message", ""));
        if (on_event) on_event(*event);
    }
}

double AgentConnection::ping() {
    const auto start = Clock::now();
    call("hello", {{"nonce", agent::new_nonce()}});
    return ms_since(start);
}

json with_link_retries(const std::function<json(int attempt)>& attempt,
                       const std::function<void(const ConnectionError&, double wait_s)>& reconnecting, int max_tries,
                       const std::atomic<bool>* interrupt) {
    double wait_s = 1;
    bool link_was_lost = false;
    for (int tryno = 0;; ++tryno) {
        try {
            return attempt(tryno);
        } catch (const ConnectionError& e) {
            // After a drop, the link may still be down while we reconnect: an unreachable host or a
            // failed handshake then is part of the same outage. A refused connection, a host key or
            // a failed authentication never is.
            const bool outage = e.kind == ConnectionFailure::LinkLost ||
                                (link_was_lost && (e.kind == ConnectionFailure::Unreachable ||
                                                   e.kind == ConnectionFailure::Handshake ||
                                                   e.kind == ConnectionFailure::Other));
            if (!outage || tryno + 1 >= max_tries || (interrupt && interrupt->load())) throw;
            link_was_lost = true;
            if (reconnecting) reconnecting(e, wait_s);
            std::this_thread::sleep_for(std::chrono::duration<double>(wait_s));
            wait_s = std::min(wait_s * 2, 30.0);
        }
    }
}

}  // namespace tp::remote
