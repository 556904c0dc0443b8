#include "core/agent/session_worker.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <poll.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/agent/session_journal.h"
#include "core/agent/session_profile.h"
#include "core/agent/session_socket.h"
#include "core/agent/session_store.h"
#include "core/util/utc_time.h"

namespace tp::agent {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

bool is_final_event(const json& record) {
    const std::string name = record.value("event", std::string());
    return name == "done" || name == "error";
}

// state.json and the watchers, shared by the job thread and the socket thread.
class WorkerShared {
public:
    WorkerShared(std::string dir, SessionState state) : dir_(std::move(dir)), state_(std::move(state)) {}

    void save() {
        std::lock_guard<std::mutex> lock(mutex_);
        write_session_state(dir_, state_);
        last_save_ = Clock::now();
    }
    void progress(const json& fields) {
        bool due;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            state_.progress = fields;
            due = Clock::now() - last_save_ > std::chrono::seconds(2);
        }
        broadcast(make_event(state_.id, "progress", fields));
        if (due) save();
    }
    void journaled(long long seq) {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            state_.last_seq = seq;
        }
        broadcast({{"event", "journal"}, {"seq", seq}});
    }
    void finish(const std::string& status, const std::string& message, long long seq) {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            state_.status = status;
            if (!message.empty())  // a failure's reason; otherwise what the start said (a recovery) stays
                state_.message = state_.message.empty() ? message : state_.message + "; " + message;
            state_.ended = iso8601_utc_now();
            state_.last_seq = seq;
        }
        save();
        broadcast({{"event", "journal"}, {"seq", seq}, {"final", true}});
    }
    // Stopped from outside (a batch session's job ended by Slurm): the state stays "running" with
    // no worker, which clients see as "died", and says why.
    void stopped_by_signal(long long seq) {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            state_.last_seq = seq;
            const std::string why = "stopped by a signal after record " + std::to_string(seq) +
                                    " (its Slurm job was ended: scancel, time limit or preemption); "
                                    "tailprune session resume measures what is missing";
            state_.message = state_.message.empty() ? why : state_.message + "; " + why;
        }
        save();
        broadcast({{"event", "journal"}, {"seq", seq}});
    }
    json snapshot() {
        std::lock_guard<std::mutex> lock(mutex_);
        return to_json(state_);
    }
    void add_watcher(int fd) {
        std::lock_guard<std::mutex> lock(watchers_mutex_);
        watchers_.push_back(fd);
    }
    void drop_watcher(int fd) {
        std::lock_guard<std::mutex> lock(watchers_mutex_);
        watchers_.erase(std::remove(watchers_.begin(), watchers_.end(), fd), watchers_.end());
        ::close(fd);
    }
    std::vector<int> watchers() {
        std::lock_guard<std::mutex> lock(watchers_mutex_);
        return watchers_;
    }
    void close_watchers() {
        std::lock_guard<std::mutex> lock(watchers_mutex_);
        for (int fd : watchers_) ::close(fd);
        watchers_.clear();
    }

private:
    // A watcher that cannot take a line at once is dropped: the worker never waits on a client
    // (it re-attaches from the journal).
    void broadcast(const json& event) {
        const std::string line = to_line(event);
        std::lock_guard<std::mutex> lock(watchers_mutex_);
        for (auto it = watchers_.begin(); it != watchers_.end();) {
            if (send_socket_line(*it, line, 0)) {
                ++it;
            } else {
                ::shutdown(*it, SHUT_RDWR);  // the socket thread sees it hang up and closes it
                ++it;
            }
        }
    }

    std::string dir_;
    std::mutex mutex_, watchers_mutex_;
    SessionState state_;
    Clock::time_point last_save_ = Clock::now();
    std::vector<int> watchers_;
};

// What the job reports goes to the journal (points, warnings, checkpoints' notes) or, for
// progress, to state.json and the watchers.
class JournalingWriter : public ProtocolWriter {
public:
    JournalingWriter(JournalWriter& journal, WorkerShared& shared) : ProtocolWriter(-1), journal_(journal), shared_(shared) {}
    bool write(const json& event) override {
        json fields = event;
        const std::string name = fields.value("event", std::string());
        if (name == "progress") {
            for (const char* key : {"v", "id", "event"}) fields.erase(key);
            shared_.progress(fields);
            return true;
        }
        shared_.journaled(journal_.append(event));
        return true;
    }

private:
    JournalWriter& journal_;
    WorkerShared& shared_;
};

// The socket: one short command per connection (cancel, status), or "watch" to stay connected.
void serve_socket(int listener, WorkerShared& shared, std::atomic<bool>& cancelled, std::atomic<bool>& asked,
                  const std::atomic<bool>& stop, const std::atomic<bool>& done) {
    while (!done) {
        if (stop) cancelled = true;
        std::vector<pollfd> fds{{listener, POLLIN, 0}};
        for (int w : shared.watchers()) fds.push_back({w, POLLIN, 0});
        if (::poll(fds.data(), fds.size(), 200) <= 0) continue;
        for (std::size_t i = 1; i < fds.size(); ++i)
            if (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) shared.drop_watcher(fds[i].fd);  // watchers only listen
        if (!(fds[0].revents & POLLIN)) continue;
        const int fd = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0) continue;
        std::string buffer, line;
        json command;
        if (read_socket_line(fd, buffer, line, 1000)) command = json::parse(line, nullptr, false);
        const std::string cmd = command.is_object() ? command.value("cmd", std::string()) : std::string();
        if (cmd == "watch") {
            json hello = shared.snapshot();
            hello["event"] = "watching";
            if (send_socket_line(fd, to_line(hello), 1000)) {
                shared.add_watcher(fd);
                continue;
            }
        } else if (cmd == "cancel") {
            asked = true;
            cancelled = true;
            send_socket_line(fd, to_line({{"ok", true}}), 1000);
        } else if (cmd == "status") {
            send_socket_line(fd, to_line(shared.snapshot()), 1000);
        } else {
            send_socket_line(fd, to_line({{"error", "unknown command (cancel, status, watch)"}}), 1000);
        }
        ::close(fd);
    }
}

}  // namespace

int run_session_worker(const std::string& dir, JobHandler& handler, const std::atomic<bool>& stop) {
    json session_request;
    try {
        session_request = read_session_request(dir);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "tailprune session-worker: %s\n", e.what());
        return 2;
    }
    const int lock_fd = ::open((dir + "/lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (lock_fd < 0 || ::flock(lock_fd, LOCK_EX | LOCK_NB) != 0) {
        std::fprintf(stderr, "tailprune session-worker: another worker runs %s\n", dir.c_str());
        return 3;
    }
    SessionState state = read_session_state(dir);
    state.id = dir.substr(dir.find_last_of('/') + 1);
    state.cmd = session_request["cmd"].get<std::string>();
    JournalWriter journal(dir + "/journal.jsonl");
    const auto& earlier = journal.records_at_open();
    if (std::any_of(earlier.begin(), earlier.end(), is_final_event)) {
        ::close(lock_fd);
        return 0;  // finished before: nothing to do
    }
    if (is_final_status(state.status)) {
        // A batch session cancelled while its Slurm job was queued: the job started anyway (the
        // cancel and the start crossed); it runs nothing.
        std::fprintf(stderr, "tailprune session-worker: session %s is %s; nothing to run\n", state.id.c_str(),
                     state.status.c_str());
        ::close(lock_fd);
        return 0;
    }
    if (const char* job = std::getenv("SLURM_JOB_ID"); job && *job) state.slurm_job = job;

    Request request{state.id, state.cmd, session_request["body"]};
    request.body.erase("checkpoints");  // the journal replaces checkpoint events
    request.body.erase("max_line_bytes");
    if (state.cmd == "profile") {
        if (!request.body.contains("output")) request.body["output"] = dir + "/partial.json";
        const std::string checkpoint = request.body["output"].get<std::string>();
        if (auto partial = session_partial_profile(checkpoint, earlier)) {
            request.body["resume"] = *partial;
            request.body.erase("resume_path");
        }
    }
    state.status = "running";
    state.pid = ::getpid();
    if (state.started.empty()) state.started = iso8601_utc_now();
    state.ended.clear();
    state.last_seq = journal.last_seq();
    state.message.clear();
    if (journal.torn_bytes_dropped() > 0)
        state.message = "recovered the journal: a torn last record (" + std::to_string(journal.torn_bytes_dropped()) +
                        " bytes) was dropped";
    if (!earlier.empty())
        state.message += std::string(state.message.empty() ? "" : "; ") + "resumed after record " +
                         std::to_string(journal.last_seq());
    WorkerShared shared(dir, state);
    shared.save();

    int listener = -1;
    try {
        listener = listen_session_socket(dir);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "tailprune session-worker: %s (no cancel or live progress; the journal still works)\n", e.what());
    }
    std::atomic<bool> cancelled{false}, asked{false}, done{false};
    std::thread server;
    if (listener >= 0) server = std::thread([&] { serve_socket(listener, shared, cancelled, asked, stop, done); });
    std::thread stopper;
    if (listener < 0)
        stopper = std::thread([&] {
            while (!done) {
                if (stop) cancelled = true;
                std::this_thread::sleep_for(std::chrono::milliseconds(200));
            }
        });

    JournalingWriter writer(journal, shared);
    JobContext context(writer, request.id, cancelled);
    json final = final_event(request.id, [&] { return handler.run(request, context); });
    // The job is over (or stopped): the socket's server, the signal watcher and the watchers end.
    auto stop_serving = [&] {
        done = true;
        if (server.joinable()) server.join();
        if (stopper.joinable()) stopper.join();
        shared.close_watchers();
        if (listener >= 0) {
            ::close(listener);
            ::unlink((dir + "/socket").c_str());
        }
    };
    if (stop && !asked && !state.slurm_job_name.empty() && final.value("event", std::string()) == "done" &&
        final["result"].is_object() && final["result"].value("cancelled", false)) {
        // A batch session stopped by a signal, not by `session cancel`: Slurm ended its job
        // (scancel, the time limit, preemption) and sent SIGTERM. The job is not over: no final
        // record, so the session is "died" and `session resume` submits it again (the points
        // journaled so far are kept; only the missing ones are measured).
        stop_serving();
        shared.stopped_by_signal(journal.last_seq());
        ::close(lock_fd);
        return 0;
    }
    std::string status = "finished", message;
    if (final.value("event", std::string()) == "error") {
        status = "failed";
        message = final.value("code", std::string()) + ": " + final.value("message", std::string());
    } else if (final["result"].is_object() && final["result"].value("cancelled", false)) {
        status = "cancelled";
    }
    long long seq = 0;
    try {
        seq = journal.append(final);
    } catch (const std::exception& e) {
        status = "failed";
        message = std::string("the result could not be journaled: ") + e.what();
    }
    shared.finish(status, message, seq);
    stop_serving();
    ::close(lock_fd);
    return 0;
}

}  // namespace tp::agent
