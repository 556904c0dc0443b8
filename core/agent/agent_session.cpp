#include "core/agent/agent_session.h"

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>

#include "core/util/format_error.h"

namespace tp::agent {

using nlohmann::json;

namespace {

struct Job {
    Request request;
    std::size_t max_line_bytes = 0;  // protocol 3: the longest line the client takes (0: any)
    std::atomic<bool> cancelled{false};
};

class Session {
public:
    Session(ProtocolWriter& writer, JobHandler& handler, SessionCommands* sessions)
        : writer_(writer), handler_(handler), sessions_(sessions) {}

    void start() { worker_ = std::thread([this] { work(); }); }

    void finish() {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            closing_ = true;
            if (running_) running_->cancelled = true;
            for (auto& job : queue_) writer_.write(make_error(job->request.id, "cancelled", "input closed before the job started"));
            queue_.clear();
        }
        wake_.notify_all();
        worker_.join();
    }

    void handle(const std::string& line) {
        auto parsed = parse_request(line);
        if (auto* error = std::get_if<ProtocolError>(&parsed)) {
            if (error->code != "empty") writer_.write(make_error(*error));
            return;
        }
        Request& request = std::get<Request>(parsed);
        if (sessions_) sessions_->input_seen();
        if (request.cmd == "hello") return hello(request);
        if (request.cmd == "cancel") return cancel(request);
        if (request.cmd == "heartbeat") {  // protocol 4: the client is there; answered at once
            writer_.write(make_event(request.id, "done", {{"result", json::object()}}));
            return;
        }
        if (sessions_ && sessions_->answers_at_once(request.cmd)) {
            writer_.write(final_event(request.id, [&] { return sessions_->answer(request); }));
            return;
        }
        auto job = std::make_shared<Job>();
        // A session field, not the command's: taken out before the handler's strict readers see the body.
        if (const auto limit = request.body.find("max_line_bytes"); limit != request.body.end()) {
            if (!limit->is_number_unsigned() || limit->get<std::uint64_t>() < kMinChunkedLineBytes) {
                writer_.write(make_error(request.id, "bad_request",
                                         "\"max_line_bytes\" must be an integer of at least " +
                                             std::to_string(kMinChunkedLineBytes)));
                return;
            }
            job->max_line_bytes = static_cast<std::size_t>(limit->get<std::uint64_t>());
            request.body.erase(limit);
        }
        job->request = std::move(request);
        {
            std::lock_guard<std::mutex> lock(mutex_);
            if (queue_.size() >= kMaxQueuedJobs) {
                writer_.write(make_error(job->request.id, "busy",
                                         "the agent already has " + std::to_string(kMaxQueuedJobs) +
                                             " jobs queued; wait for some to finish"));
                return;
            }
            queue_.push_back(std::move(job));
        }
        wake_.notify_all();
    }

private:
    void hello(const Request& request) {
        const auto nonce = request.body.find("nonce");
        if (nonce != request.body.end() && (!nonce->is_string() || nonce->get_ref<const std::string&>().size() > kMaxNonceBytes)) {
            writer_.write(make_error(request.id, "bad_request",
                                     "\"nonce\" must be a string of at most " + std::to_string(kMaxNonceBytes) + " bytes"));
            return;
        }
        try {
            json result = handler_.hello();
            result["protocol"] = kProtocolVersion;
            result["protocol_min"] = kOldestProtocol;
            if (nonce != request.body.end()) result["nonce"] = *nonce;
            writer_.write(make_event(request.id, "done", {{"result", result}}));
        } catch (const std::exception& e) {
            writer_.write(make_error(request.id, "failed", e.what()));
        }
    }

    void cancel(const Request& request) {
        const json* target = request.body.contains("target") ? &request.body["target"] : nullptr;
        if (target && !target->is_string() && !target->is_number_integer()) {
            writer_.write(make_error(request.id, "bad_request", "\"target\" must be the id of a request"));
            return;
        }
        json cancelled = json::array();
        {
            std::lock_guard<std::mutex> lock(mutex_);
            if (running_ && (!target || running_->request.id == *target)) {
                running_->cancelled = true;
                cancelled.push_back(running_->request.id);
            }
            for (auto it = queue_.begin(); it != queue_.end();) {
                if (!target || (*it)->request.id == *target) {
                    cancelled.push_back((*it)->request.id);
                    writer_.write(make_error((*it)->request.id, "cancelled", "cancelled before it started"));
                    it = queue_.erase(it);
                } else {
                    ++it;
                }
            }
        }
        writer_.write(make_event(request.id, "done", {{"result", {{"cancelled", cancelled}}}}));
    }

    void work() {
        for (;;) {
            std::shared_ptr<Job> job;
            {
                std::unique_lock<std::mutex> lock(mutex_);
                wake_.wait(lock, [this] { return closing_ || !queue_.empty(); });
                if (queue_.empty()) return;  // closing and nothing left
                job = queue_.front();
                queue_.pop_front();
                running_ = job;
                if (closing_) job->cancelled = true;
            }
            run(*job);
            std::lock_guard<std::mutex> lock(mutex_);
            running_.reset();
        }
    }

    void run(Job& job) {
        JobContext context(writer_, job.request.id, job.cancelled, job.max_line_bytes);
        const bool session_job = sessions_ && sessions_->is_job(job.request.cmd);
        context.send(final_event(job.request.id, [&] {
            return session_job ? sessions_->run(job.request, context) : handler_.run(job.request, context);
        }));
    }

    ProtocolWriter& writer_;
    JobHandler& handler_;
    SessionCommands* sessions_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<std::shared_ptr<Job>> queue_;
    std::shared_ptr<Job> running_;
    bool closing_ = false;
    std::thread worker_;
};

}  // namespace

json final_event(const json& id, const std::function<json()>& body) {
    try {
        return make_event(id, "done", {{"result", body()}});
    } catch (const FormatError& e) {
        return make_error(id, "bad_request", e.what());
    } catch (const std::invalid_argument& e) {
        return make_error(id, "bad_request", e.what());
    } catch (const JobUnavailable& e) {
        return make_error(id, "unavailable", e.what());
    } catch (const JobFailed& e) {
        return make_error(id, e.code, e.what());
    } catch (const std::exception& e) {
        return make_error(id, "failed", e.what());
    } catch (...) {
        // Nothing may leave the worker thread: that would end the agent with std::terminate.
        return make_error(id, "failed", "the job failed with an unknown error");
    }
}

int run_agent_session(int in_fd, ProtocolWriter& writer, JobHandler& handler, const std::atomic<bool>& stop,
                      SessionCommands* sessions) {
    Session session(writer, handler, sessions);
    session.start();
    LineReader reader(in_fd, kMaxLineBytes);
    std::string line;
    for (;;) {
        if (writer.broken()) break;  // nobody reads our answers any more
        LineReader::Status status = reader.next(line, stop);
        if (status == LineReader::Status::Eof || status == LineReader::Status::Stopped) break;
        if (status == LineReader::Status::TooLong) {
            writer.write(make_error(nullptr, "line_too_long",
                                    "request line longer than " + std::to_string(kMaxLineBytes) + " bytes skipped"));
            continue;
        }
        session.handle(line);
    }
    session.finish();
    return 0;
}

}  // namespace tp::agent
