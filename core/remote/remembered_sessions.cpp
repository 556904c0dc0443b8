#include "core/remote/remembered_sessions.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "core/util/file_io.h"

namespace tp::remote {

using nlohmann::json;

std::string remembered_sessions_path() {
    if (const char* path = std::getenv("TAILPRUNE_REMEMBERED_SESSIONS"); path && *path) return path;
    const char* config = std::getenv("XDG_CONFIG_HOME");
    const char* home = std::getenv("HOME");
    const std::string base = config && *config ? config : std::string(home && *home ? home : "/tmp") + "/.config";
    return base + "/tailprune/sessions.json";
}

std::vector<RememberedSession> load_remembered_sessions(const std::string& path) {
    std::vector<RememberedSession> out;
    json doc;
    try {
        doc = json::parse(read_text_file(path));
    } catch (const std::exception&) {
        return out;
    }
    if (!doc.is_object() || !doc.contains("sessions") || !doc["sessions"].is_array()) return out;
    for (const json& s : doc["sessions"]) {
        if (!s.is_object()) continue;
        RememberedSession r;
        auto text = [&](const char* key) { return s.contains(key) && s[key].is_string() ? s[key].get<std::string>() : std::string(); };
        r.device = text("device");
        r.id = text("id");
        r.cmd = text("cmd");
        r.started = text("started");
        if (s.contains("last_seq") && s["last_seq"].is_number_integer()) r.last_seq = s["last_seq"].get<long long>();
        if (!r.device.empty() && !r.id.empty()) out.push_back(r);
    }
    return out;
}

namespace {

void save(const std::vector<RememberedSession>& sessions, const std::string& path) {
    json list = json::array();
    for (const auto& s : sessions)
        list.push_back({{"device", s.device}, {"id", s.id}, {"cmd", s.cmd}, {"started", s.started}, {"last_seq", s.last_seq}});
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
    write_text_file_atomically(path, json{{"sessions", list}}.dump(2) + "\n");
}

}  // namespace

void remember_session(const RememberedSession& session, const std::string& path) {
    auto sessions = load_remembered_sessions(path);
    auto it = std::find_if(sessions.begin(), sessions.end(),
                           [&](const RememberedSession& s) { return s.device == session.device && s.id == session.id; });
    if (it != sessions.end()) *it = session;
    else sessions.push_back(session);
    save(sessions, path);
}

void forget_session(const std::string& device, const std::string& id, const std::string& path) {
    auto sessions = load_remembered_sessions(path);
    const auto before = sessions.size();
    sessions.erase(std::remove_if(sessions.begin(), sessions.end(),
                                  [&](const RememberedSession& s) { return s.device == device && s.id == id; }),
                   sessions.end());
    if (sessions.size() != before) save(sessions, path);
}

}  // namespace tp::remote
