#include "core/agent/session_relay.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <filesystem>

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

#include "core/agent/path_policy.h"
#include "core/agent/session_journal.h"
#include "core/agent/session_profile.h"
#include "core/agent/session_socket.h"
#include "core/agent/session_store.h"
#include "core/util/file_io.h"
#include "core/util/utc_time.h"
#include "core/util/steady_clock_ms.h"

namespace tp::agent {

using nlohmann::json;
namespace fs = std::filesystem;

namespace {

const char* const kAtOnce[] = {"session_start", "session_list", "session_cancel", "session_resume", "session_clean",
                               "session_slurm_job"};
const char* const kJobs[] = {"session_attach", "session_fetch"};
const char* const kSessionJobs[] = {"profile", "measure", "evaluate", "describe"};

bool one_of(const std::string& s, const char* const* begin, const char* const* end) {
    return std::any_of(begin, end, [&](const char* c) { return s == c; });
}

std::string session_field(const Request& r) {
    const auto it = r.body.find("session");
    if (it == r.body.end() || !it->is_string()) throw std::invalid_argument("\"session\" (a session id) is required");
    check_session_id(it->get<std::string>());
    return it->get<std::string>();
}

// The folder of an existing session, or bad_request naming it.
std::string existing_session(const std::string& id) {
    const std::string dir = session_dir(id);
    std::error_code ec;
    if (!fs::exists(dir + "/request.json", ec)) throw std::invalid_argument("no session '" + id + "' on this machine");
    return dir;
}

std::optional<json> final_record(const std::vector<json>& records) {
    for (auto it = records.rbegin(); it != records.rend(); ++it) {
        const std::string name = it->value("event", std::string());
        if (name == "done" || name == "error") return *it;
    }
    return std::nullopt;
}

bool lingering_systemd_user() {
    const char* user = std::getenv("USER");
    if (!user || !*user) return false;
    std::error_code ec;
    return fs::exists(std::string("/var/lib/systemd/linger/") + user, ec) && fs::exists("/usr/bin/systemd-run", ec) &&
           std::getenv("XDG_RUNTIME_DIR") != nullptr;
}

// Runs argv, waits for it; its status (or -1 when it could not start).
int run_and_wait(const std::vector<std::string>& args) {
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    const pid_t pid = ::fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        const int null = ::open("/dev/null", O_RDWR);
        if (null >= 0) ::dup2(null, 0), ::dup2(null, 1), ::dup2(null, 2);
        ::execv(argv[0], argv.data());
        ::_exit(127);
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

json list_sessions_json() {
    json out = json::array();
    std::error_code ec;
    std::vector<fs::path> dirs;
    for (const auto& entry : fs::directory_iterator(sessions_root(), ec))
        if (entry.is_directory(ec) && fs::exists(entry.path() / "request.json", ec)) dirs.push_back(entry.path());
    std::sort(dirs.begin(), dirs.end(), std::greater<>());
    for (const fs::path& dir : dirs) {
        SessionState s = read_session_state(dir.string());
        json j = to_json(s);
        j["id"] = dir.filename().string();
        j["status"] = effective_status(dir.string(), s);
        try {
            const json request = read_session_request(dir.string());
            const json& body = request["body"];
            j["cmd"] = request["cmd"];
            if (body.contains("model")) j["model"] = body["model"];
            else if (body.contains("weights")) j["model"] = body["weights"];
        } catch (const std::exception&) {
        }
        out.push_back(j);
    }
    return out;
}

SessionRelay::SessionRelay(std::string worker_executable)
    : executable_(std::move(worker_executable)), last_input_ms_(steady_now_ms()) {
    watchdog_ = std::thread([this] { watchdog(); });
}

SessionRelay::~SessionRelay() {
    stopping_ = true;
    watchdog_.join();
}

void SessionRelay::watchdog() {
    while (!stopping_) {
        std::this_thread::sleep_for(std::chrono::milliseconds(250));
        const double hb = heartbeat_s_.load();
        if (hb <= 0) continue;
        const double silent_s = static_cast<double>(steady_now_ms() - last_input_ms_.load()) / 1000.0;
        if (silent_s > 4 * hb + 5) {
            // Nothing of value lives here (the worker has the session); a relay blocked on a frozen
            // link would otherwise stay until TCP gives up, hours later.
            std::fprintf(stderr, "tailprune agent: no heartbeat from the client for %.0f s; the relay ends (the session goes on)\n",
                         silent_s);
            std::_Exit(0);
        }
    }
}

void SessionRelay::input_seen() { last_input_ms_ = steady_now_ms(); }

bool SessionRelay::answers_at_once(const std::string& cmd) const {
    return one_of(cmd, std::begin(kAtOnce), std::end(kAtOnce));
}
bool SessionRelay::is_job(const std::string& cmd) const { return one_of(cmd, std::begin(kJobs), std::end(kJobs)); }

json SessionRelay::answer(const Request& r) {
    if (r.cmd == "session_start") return start(r);
    if (r.cmd == "session_resume") return resume(r);
    if (r.cmd == "session_list") return {{"sessions", list()}};
    if (r.cmd == "session_cancel") return cancel(r);
    if (r.cmd == "session_clean") return clean(r);
    if (r.cmd == "session_slurm_job") return note_slurm_job(r);
    throw std::invalid_argument("command '" + r.cmd + "' is not a session command");
}

json SessionRelay::run(const Request& r, JobContext& context) {
    if (r.cmd == "session_attach") return attach(r, context);
    if (r.cmd == "session_fetch") return fetch(r);
    throw std::invalid_argument("command '" + r.cmd + "' is not a session job");
}

json SessionRelay::list() const { return list_sessions_json(); }

json SessionRelay::start(const Request& r) {
    const auto job = r.body.find("job");
    if (job == r.body.end() || !job->is_object() || !job->contains("cmd") || !(*job)["cmd"].is_string())
        throw std::invalid_argument("\"job\" must be an object with \"cmd\" (profile, measure, evaluate, describe) and its fields");
    const std::string cmd = (*job)["cmd"].get<std::string>();
    if (!one_of(cmd, std::begin(kSessionJobs), std::end(kSessionJobs)))
        throw std::invalid_argument("\"job\": '" + cmd + "' cannot run as a session (profile, measure, evaluate, describe)");
    json body = *job;
    body.erase("cmd");
    body.erase("id");
    body.erase("v");
    check_request_paths(default_path_policy(), body);  // refused here rather than in the worker's journal
    // "batch": {"job_name": PREFIX}: a Slurm batch session (docs/cluster.md). The folder is made
    // and no worker is started here: the client submits `srun ... session-worker DIR` with sbatch,
    // naming the job PREFIX-ID (given back as "slurm_job_name").
    std::string batch_prefix;
    if (const auto it = r.body.find("batch"); it != r.body.end() && !it->is_null()) {
        if (!it->is_object() || !it->contains("job_name") || !(*it)["job_name"].is_string())
            throw std::invalid_argument("\"batch\" must be an object with \"job_name\" (the Slurm job name's prefix)");
        batch_prefix = (*it)["job_name"].get<std::string>();
        bool ok = !batch_prefix.empty() && batch_prefix.size() <= 120;
        for (char c : batch_prefix)
            ok = ok && ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' || c == '_' || c == '.');
        if (!ok) throw std::invalid_argument("\"batch\": \"job_name\" must be letters, digits, '.', '-' and '_' (at most 120)");
    }

    std::error_code ec;
    fs::create_directories(sessions_root(), ec);
    ::chmod(sessions_root().c_str(), 0700);
    std::string id, dir;
    for (int attempt = 0;; ++attempt) {
        id = new_session_id();
        dir = session_dir(id);
        if (::mkdir(dir.c_str(), 0700) == 0) break;
        if (errno != EEXIST || attempt > 20)
            throw std::runtime_error("cannot create the session folder " + dir + ": " + std::strerror(errno));
    }
    write_text_file_atomically(dir + "/request.json", json{{"cmd", cmd}, {"body", body}}.dump() + "\n");
    SessionState state;
    state.id = id;
    state.cmd = cmd;
    state.started = iso8601_utc_now();
    if (!batch_prefix.empty()) {
        state.slurm_job_name = batch_prefix + "-" + id;
        write_session_state(dir, state);
        return {{"session", id}, {"status", "queued"}, {"pid", 0}, {"dir", dir}, {"slurm_job_name", state.slurm_job_name}};
    }
    write_session_state(dir, state);
    spawn_worker(dir);
    const SessionState now = read_session_state(dir);
    return {{"session", id}, {"status", effective_status(dir, now)}, {"pid", now.pid}, {"dir", dir}};
}

json SessionRelay::resume(const Request& r) {
    const std::string id = session_field(r);
    const std::string dir = existing_session(id);
    if (session_worker_alive(dir)) throw std::invalid_argument("session '" + id + "' is still running: attach to it");
    const auto records = read_journal(dir + "/journal.jsonl");
    if (auto last = final_record(records))
        throw std::invalid_argument("session '" + id + "' has finished (" + last->value("event", std::string()) +
                                    "): nothing to resume; fetch its result");
    const long long points = std::count_if(records.begin(), records.end(),
                                           [](const json& x) { return x.value("event", std::string()) == "point"; });
    SessionState before = read_session_state(dir);
    if (effective_status(dir, before) == "queued")
        throw std::invalid_argument("session '" + id + "' waits for its Slurm job (" + before.slurm_job_name +
                                    "): attach to it, or cancel it");
    if (!before.slurm_job_name.empty() && r.body.value("batch", false)) {
        // A batch session: the client submits a new job on the same folder; here it only goes
        // back to queued (its worker, when it starts, measures only what is missing).
        before.status = "starting";
        before.pid = 0;
        before.ended.clear();
        before.slurm_job.clear();
        write_session_state(dir, before);
        return {{"session", id}, {"status", "queued"}, {"pid", 0}, {"kept_points", points}, {"dir", dir},
                {"slurm_job_name", before.slurm_job_name}, {"last_seq", records.empty() ? 0 : record_seq(records.back())}};
    }
    spawn_worker(dir);
    const SessionState now = read_session_state(dir);
    return {{"session", id}, {"status", effective_status(dir, now)}, {"pid", now.pid}, {"kept_points", points},
            {"last_seq", records.empty() ? 0 : record_seq(records.back())}};
}

json SessionRelay::cancel(const Request& r) {
    const std::string id = session_field(r);
    const std::string dir = existing_session(id);
    const int fd = connect_session_socket(dir);
    if (fd < 0) {
        SessionState s = read_session_state(dir);
        json out = {{"session", id}, {"cancelled", false}, {"status", effective_status(dir, s)}};
        if (!s.slurm_job_name.empty()) out["slurm_job_name"] = s.slurm_job_name;
        if (out["status"] == "queued") {
            // Its worker has not started: the session ends here; the client releases the Slurm
            // job (scancel by its name). A worker that starts after all finds it cancelled.
            s.status = "cancelled";
            s.ended = iso8601_utc_now();
            s.message = "cancelled while its Slurm job was queued";
            write_session_state(dir, s);
            out["cancelled"] = true;
            out["status"] = "cancelled";
        }
        return out;
    }
    std::string buffer, line;
    const bool ok = send_socket_line(fd, to_line({{"cmd", "cancel"}})) && read_socket_line(fd, buffer, line, 5000);
    ::close(fd);
    if (!ok) throw std::runtime_error("session '" + id + "' did not answer the cancel");
    json out = {{"session", id}, {"cancelled", true}, {"status", "cancelling"}};
    if (const SessionState s = read_session_state(dir); !s.slurm_job_name.empty()) out["slurm_job_name"] = s.slurm_job_name;
    return out;
}

json SessionRelay::note_slurm_job(const Request& r) {
    const std::string id = session_field(r);
    const std::string dir = existing_session(id);
    const auto it = r.body.find("slurm_job");
    std::string job = it != r.body.end() && it->is_string() ? it->get<std::string>() : std::string();
    if (job.empty() || job.size() > 32 || job.find_first_not_of("0123456789_") != std::string::npos)
        throw std::invalid_argument("\"slurm_job\" must be a Slurm job id (digits)");
    if (read_session_state(dir).slurm_job_name.empty())
        throw std::invalid_argument("session '" + id + "' is not a batch session");
    write_text_file_atomically(dir + "/slurm_job", job + "\n");
    return {{"session", id}, {"slurm_job", job}};
}

json SessionRelay::clean(const Request& r) {
    double older_than_days = 0;
    if (const auto it = r.body.find("older_than_days"); it != r.body.end()) {
        if (!it->is_number() || it->get<double>() < 0)
            throw std::invalid_argument("\"older_than_days\" must be a number of days >= 0");
        older_than_days = it->get<double>();
    }
    json removed = json::array(), kept = json::array();
    const auto now = fs::file_time_type::clock::now();
    for (const json& s : list_sessions_json()) {
        const std::string id = s["id"].get<std::string>();
        const std::string dir = session_dir(id);
        const std::string status = s["status"].get<std::string>();
        std::error_code ec;
        const auto touched = fs::last_write_time(dir + "/state.json", ec);
        const double age_days =
            ec ? 1e9 : std::chrono::duration<double>(now - touched).count() / 86400.0;
        // Running sessions are never removed; died ones only when asked by age like finished ones.
        if (status == "running" || status == "starting" || status == "queued" || age_days < older_than_days) {
            kept.push_back(id);
            continue;
        }
        fs::remove_all(dir, ec);
        (ec ? kept : removed).push_back(id);
    }
    return {{"removed", removed}, {"kept", kept}};
}

json SessionRelay::fetch(const Request& r) {
    const std::string id = session_field(r);
    const std::string dir = existing_session(id);
    const json request = read_session_request(dir);
    const auto records = read_journal(dir + "/journal.jsonl");
    const SessionState state = read_session_state(dir);
    json out = {{"session", id}, {"cmd", request["cmd"]}, {"status", effective_status(dir, state)},
                {"last_seq", records.empty() ? 0 : record_seq(records.back())}};
    if (auto last = final_record(records)) {
        if (last->value("event", std::string()) == "error") {
            out["error"] = {{"code", last->value("code", std::string())}, {"message", last->value("message", std::string())}};
            return out;
        }
        out["result"] = last->value("result", json::object());
        out["final"] = true;
        return out;
    }
    if (request["cmd"] != "profile")
        throw std::invalid_argument("session '" + id + "' (" + request["cmd"].get<std::string>() + ") has no result yet: it is " +
                                    out["status"].get<std::string>());
    const std::string checkpoint = request["body"].value("output", dir + "/partial.json");
    auto profile = session_partial_profile(checkpoint, records);
    if (!profile) throw std::invalid_argument("session '" + id + "' has measured nothing yet");
    out["final"] = false;
    out["result"] = {{"partial", true}, {"cancelled", false}, {"profile", *profile}};
    return out;
}

json SessionRelay::attach(const Request& r, JobContext& context) {
    const std::string id = session_field(r);
    const std::string dir = existing_session(id);
    long long from = 0;
    if (const auto it = r.body.find("from"); it != r.body.end()) {
        if (!it->is_number_integer() || it->get<long long>() < 0) throw std::invalid_argument("\"from\" must be a sequence number >= 0");
        from = it->get<long long>();
    }
    double hb = 0;
    if (const auto it = r.body.find("heartbeat_s"); it != r.body.end()) {
        if (!it->is_number() || it->get<double>() < 0 || it->get<double>() > 3600)
            throw std::invalid_argument("\"heartbeat_s\" must be 0..3600 seconds");
        hb = it->get<double>();
    }
    if (hb > 0) heartbeat_s_ = hb;

    JournalTail tail(dir + "/journal.jsonl");
    int sock = -1;
    std::string sock_buffer;
    long long last_connect_try = 0, last_sent = steady_now_ms();
    auto connect_watch = [&] {
        last_connect_try = steady_now_ms();
        sock = connect_session_socket(dir);
        if (sock >= 0 && !send_socket_line(sock, to_line({{"cmd", "watch"}}))) {
            ::close(sock);
            sock = -1;
        }
    };
    connect_watch();
    const SessionState at_start = read_session_state(dir);
    context.event("attached", {{"session", id}, {"from", from}, {"status", effective_status(dir, at_start)},
                               {"last_seq", at_start.last_seq}, {"cmd", read_session_request(dir)["cmd"]}});
    last_sent = steady_now_ms();
    struct CloseSocket {
        int& fd;
        ~CloseSocket() {
            if (fd >= 0) ::close(fd);
        }
    } closer{sock};

    // Sends the journal's records after `from` as events; the job's final record ends the attach
    // (its result, or its error with the job's code).
    auto deliver_new = [&]() -> std::optional<json> {
        for (json& record : tail.read_new()) {
            const long long seq = record_seq(record);
            if (seq <= from) continue;
            from = seq;
            const std::string name = record.value("event", std::string());
            if (name == "done") return record.value("result", json::object());
            if (name == "error")
                throw JobFailed(record.value("code", std::string("failed")), record.value("message", std::string()));
            for (const char* key : {"v", "id", "event"}) record.erase(key);
            record["session"] = id;
            context.event(name, record);
            last_sent = steady_now_ms();
        }
        return std::nullopt;
    };
    for (;;) {
        if (auto result = deliver_new()) return *result;
        if (context.cancelled()) return {{"detached", true}, {"session", id}, {"seq", from}};
        if (sock < 0) {
            // No worker listening: it may still be starting, or be gone. The journal has the truth.
            if (!session_worker_alive(dir)) {
                if (auto result = deliver_new()) return *result;  // what it wrote just before it ended
                const SessionState now = read_session_state(dir);
                const std::string status = effective_status(dir, now);
                if (status == "queued") {  // a batch session whose Slurm job waits: its worker comes later
                    if (hb > 0 && static_cast<double>(steady_now_ms() - last_sent) >= hb * 1000) {
                        context.event("heartbeat", {{"session", id}, {"seq", from}, {"status", status}});
                        last_sent = steady_now_ms();
                    }
                    if (steady_now_ms() - last_connect_try > 1000) connect_watch();
                    std::this_thread::sleep_for(std::chrono::milliseconds(200));
                    continue;
                }
                if (is_final_status(status))
                    throw JobFailed(status, "session '" + id + "' is " + status +
                                                (now.message.empty() ? std::string() : " (" + now.message + ")"));
                throw JobFailed("session_died", "the worker of session '" + id + "' ended without finishing (record " +
                                                    std::to_string(from) + " is the last); `tailprune session resume " + id +
                                                    "` measures only what is missing");
            }
            if (steady_now_ms() - last_connect_try > 1000) connect_watch();
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
        } else {
            pollfd p{sock, POLLIN, 0};
            if (::poll(&p, 1, 200) > 0) {
                std::string line;
                bool open = true;
                while (open && read_socket_line(sock, sock_buffer, line, 0)) {
                    json event = json::parse(line, nullptr, false);
                    if (event.is_object() && event.value("event", std::string()) == "progress") {
                        for (const char* key : {"v", "id", "event"}) event.erase(key);
                        event["session"] = id;
                        context.progress(event);
                        last_sent = steady_now_ms();
                    }
                }
                // A hang-up (the worker ended, or dropped us for being slow): look again.
                char probe;
                if (p.revents & (POLLHUP | POLLERR) || ::recv(sock, &probe, 1, MSG_PEEK | MSG_DONTWAIT) == 0) {
                    ::close(sock);
                    sock = -1;
                    last_connect_try = steady_now_ms();
                }
            }
        }
        if (hb > 0 && static_cast<double>(steady_now_ms() - last_sent) >= hb * 1000) {
            const SessionState s = read_session_state(dir);
            context.event("heartbeat", {{"session", id}, {"seq", from}, {"status", s.status}});
            last_sent = steady_now_ms();
        }
    }
}

void SessionRelay::spawn_worker(const std::string& dir) {
    bool started = false;
    if (lingering_systemd_user()) {
        // The user's systemd keeps the worker past logout even where logind kills the session's processes.
        // A user unit does not inherit this environment: what the job depends on is passed along.
        const std::string unit = "tailprune-session-" + dir.substr(dir.find_last_of('/') + 1);
        std::vector<std::string> args = {"/usr/bin/systemd-run", "--user", "--quiet", "--collect", "--unit=" + unit};
        for (char** e = environ; e && *e; ++e) {
            const std::string kv = *e;
            for (const char* prefix : {"TAILPRUNE_", "LD_LIBRARY_PATH=", "PATH=", "CUDA_", "OPENBLAS_", "OMP_", "MKL_"})
                if (kv.rfind(prefix, 0) == 0) {
                    args.push_back("--setenv=" + kv);
                    break;
                }
        }
        for (const std::string& a : {executable_, std::string("session-worker"), dir}) args.push_back(a);
        started = run_and_wait(args) == 0;
    }
    if (!started) {
        const std::string log = dir + "/worker.log";
        std::vector<std::string> args = {executable_, "session-worker", dir};
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        const pid_t child = ::fork();
        if (child < 0) throw std::runtime_error(std::string("cannot start the session worker: ") + std::strerror(errno));
        if (child == 0) {
            // Its own session and process group, no terminal, stdin from /dev/null, output to its log;
            // the intermediate child exits so the worker is not the relay's child (init adopts it).
            ::setsid();
            if (::fork() != 0) ::_exit(0);
            const int null = ::open("/dev/null", O_RDONLY);
            const int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
            if (null >= 0) ::dup2(null, 0);
            if (out >= 0) ::dup2(out, 1), ::dup2(out, 2);
            ::execv(argv[0], argv.data());
            ::_exit(127);
        }
        int status = 0;
        while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
        }
    }
    // Wait until it runs (it takes the lock, then writes state.json), or has ended already.
    for (int i = 0; i < 300; ++i) {
        const SessionState s = read_session_state(dir);
        if (s.status != "starting" && (session_worker_alive(dir) || is_final_status(s.status))) return;
        if (is_final_status(s.status)) return;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    std::string tail;
    try {
        tail = read_text_file(dir + "/worker.log");
    } catch (const std::exception&) {
    }
    if (tail.size() > 400) tail = tail.substr(tail.size() - 400);
    throw std::runtime_error("the session worker did not start within 15 s" + (tail.empty() ? std::string() : ": " + tail));
}

}  // namespace tp::agent
