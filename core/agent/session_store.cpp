#include "core/agent/session_store.h"

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <random>
#include <stdexcept>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/un.h>
#include <unistd.h>

#include "core/util/file_io.h"

namespace tp::agent {

using nlohmann::json;

std::string sessions_root() {
    if (const char* dir = std::getenv("TAILPRUNE_SESSIONS_DIR"); dir && *dir) return dir;
    const char* home = std::getenv("HOME");
    return std::string(home && *home ? home : "/tmp") + "/.cache/tailprune/sessions";
}

std::string new_session_id() {
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
    std::random_device rd;
    char tail[8];
    std::snprintf(tail, sizeof tail, "%06x", static_cast<unsigned>(rd()) & 0xffffffu);
    return std::string(stamp) + "-" + tail;
}

void check_session_id(const std::string& id, const std::string& field) {
    bool ok = !id.empty() && id.size() <= 64;
    for (char c : id)
        ok = ok && ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' || c == '_');
    if (!ok) throw std::invalid_argument("\"" + field + "\" must be a session id (letters, digits, '-' and '_'; at most 64)");
}

std::string session_dir(const std::string& id) {
    check_session_id(id);
    return sessions_root() + "/" + id;
}

json to_json(const SessionState& s) {
    json j = {{"id", s.id},           {"cmd", s.cmd},         {"status", s.status},     {"pid", s.pid},
            {"started", s.started}, {"ended", s.ended},     {"message", s.message},   {"last_seq", s.last_seq},
            {"progress", s.progress}};
    if (!s.slurm_job_name.empty()) j["slurm_job_name"] = s.slurm_job_name;
    if (!s.slurm_job.empty()) j["slurm_job"] = s.slurm_job;
    return j;
}

SessionState session_state_from_json(const json& j) {
    SessionState s;
    if (!j.is_object()) return s;
    auto text = [&](const char* key) { return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string(); };
    s.id = text("id");
    s.cmd = text("cmd");
    if (!text("status").empty()) s.status = text("status");
    s.started = text("started");
    s.ended = text("ended");
    s.message = text("message");
    s.slurm_job_name = text("slurm_job_name");
    s.slurm_job = text("slurm_job");
    if (j.contains("pid") && j["pid"].is_number_integer()) s.pid = j["pid"].get<long long>();
    if (j.contains("last_seq") && j["last_seq"].is_number_integer()) s.last_seq = j["last_seq"].get<long long>();
    if (j.contains("progress")) s.progress = j["progress"];
    return s;
}

SessionState read_session_state(const std::string& dir) {
    SessionState s;
    try {
        s = session_state_from_json(json::parse(read_text_file(dir + "/state.json")));
    } catch (const std::exception&) {
    }
    if (s.slurm_job.empty() && !s.slurm_job_name.empty()) {
        // The job id sbatch gave, noted by the client after submitting (session_slurm_job): a file
        // of its own, so it never races with the worker's rewrites of state.json.
        try {
            std::string id = read_text_file(dir + "/slurm_job");
            while (!id.empty() && (id.back() == '\n' || id.back() == ' ')) id.pop_back();
            s.slurm_job = id;
        } catch (const std::exception&) {
        }
    }
    return s;
}

void write_session_state(const std::string& dir, const SessionState& state) {
    write_text_file_atomically(dir + "/state.json", to_json(state).dump() + "\n");
}

bool session_worker_alive(const std::string& dir) {
    const int fd = ::open((dir + "/lock").c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    const bool held = ::flock(fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK;
    ::close(fd);  // releases our lock if we got it
    return held;
}

bool is_final_status(const std::string& status) {
    return status == "finished" || status == "failed" || status == "cancelled";
}

std::string effective_status(const std::string& dir, const SessionState& state) {
    if (is_final_status(state.status)) return state.status;
    if (session_worker_alive(dir)) return state.status;
    if (state.status == "starting" && state.pid == 0 && !state.slurm_job_name.empty()) return "queued";
    return "died";
}

json read_session_request(const std::string& dir) {
    json request = json::parse(read_text_file(dir + "/request.json"));
    if (!request.is_object() || !request.contains("cmd") || !request["cmd"].is_string() || !request.contains("body") ||
        !request["body"].is_object())
        throw std::runtime_error(dir + "/request.json is not a session request");
    return request;
}

std::string session_socket_address(const std::string& dir, int& dir_fd) {
    dir_fd = -1;
    std::string path = dir + "/socket";
    if (path.size() < sizeof(sockaddr_un::sun_path) - 1) return path;
    dir_fd = ::open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (dir_fd < 0) throw std::runtime_error("cannot open the session folder " + dir);
    return "/proc/self/fd/" + std::to_string(dir_fd) + "/socket";
}

}  // namespace tp::agent
