#include "core/remote/askpass.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <stdexcept>

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

namespace tp::remote {

using nlohmann::json;

namespace {

constexpr std::size_t kMaxAnswer = 4096;

bool read_line(int fd, std::string& line, int timeout_ms) {
    line.clear();
    char c;
    while (line.size() < 64 * 1024) {
        pollfd p{fd, POLLIN, 0};
        if (poll(&p, 1, timeout_ms) <= 0) return false;
        const ssize_t n = ::read(fd, &c, 1);
        if (n <= 0) return false;
        if (c == '\n') return true;
        line += c;
    }
    return false;
}

bool write_all(int fd, const std::string& text) {
    std::size_t done = 0;
    while (done < text.size()) {
        const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        done += static_cast<std::size_t>(n);
    }
    return true;
}

int ask_socket(const std::string& path, const std::string& prompt) {
    const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (fd < 0 || path.size() >= sizeof addr.sun_path) return 1;
    std::strcpy(addr.sun_path, path.c_str());
    if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        close(fd);
        return 1;
    }
    std::string line;
    const bool ok = write_all(fd, json{{"prompt", prompt}}.dump() + "\n") && read_line(fd, line, 10 * 60 * 1000);
    close(fd);
    if (!ok) return 1;
    json answer = json::parse(line, nullptr, false);
    if (!answer.is_object() || !answer.value("ok", false) || !answer.contains("answer") || !answer["answer"].is_string())
        return 1;
    std::cout << answer["answer"].get<std::string>() << "\n" << std::flush;
    return 0;
}

int ask_terminal(const std::string& prompt) {
    const int tty = open("/dev/tty", O_RDWR | O_CLOEXEC);
    if (tty < 0) return 1;
    write_all(tty, prompt.empty() ? "Passphrase: " : prompt);
    termios old{};
    const bool is_term = tcgetattr(tty, &old) == 0;
    if (is_term) {
        termios quiet = old;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        tcsetattr(tty, TCSAFLUSH, &quiet);
    }
    std::string line;
    const bool ok = read_line(tty, line, 10 * 60 * 1000);
    if (is_term) tcsetattr(tty, TCSAFLUSH, &old);
    write_all(tty, "\n");
    close(tty);
    if (!ok) return 1;
    std::cout << line << "\n" << std::flush;
    return 0;
}

}  // namespace

bool askpass_available() {
    if (const char* s = std::getenv(kAskpassSocketEnv); s && *s) return true;
    const int tty = open("/dev/tty", O_RDWR | O_CLOEXEC);
    if (tty < 0) return false;
    close(tty);
    return true;
}

int run_askpass(const std::string& prompt) {
    if (const char* s = std::getenv(kAskpassSocketEnv); s && *s) return ask_socket(s, prompt);
    return ask_terminal(prompt);
}

AskpassServer::AskpassServer(Answer answer) : answer_(std::move(answer)) {
    char tmpl[] = "/tmp/tailprune-askpass-XXXXXX";
    if (!mkdtemp(tmpl)) throw std::runtime_error(std::string("cannot create the askpass folder: ") + std::strerror(errno));
    dir_ = tmpl;
    path_ = dir_ + "/s";
    listen_fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strcpy(addr.sun_path, path_.c_str());
    if (listen_fd_ < 0 || bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        listen(listen_fd_, 4) != 0)
        throw std::runtime_error(std::string("cannot serve the askpass socket: ") + std::strerror(errno));
    thread_ = std::thread([this] { serve(); });
}

AskpassServer::~AskpassServer() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    if (listen_fd_ >= 0) close(listen_fd_);
    unlink(path_.c_str());
    rmdir(dir_.c_str());
}

void AskpassServer::serve() {
    while (!stop_) {
        pollfd p{listen_fd_, POLLIN, 0};
        if (poll(&p, 1, 100) <= 0) continue;
        const int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0) continue;
        std::string line;
        if (read_line(fd, line, 5000)) {
            json q = json::parse(line, nullptr, false);
            const std::string prompt = q.is_object() ? q.value("prompt", std::string()) : std::string();
            ++questions_;
            std::optional<std::string> answer = answer_ ? answer_(prompt) : std::nullopt;
            json reply = answer && answer->size() <= kMaxAnswer ? json{{"ok", true}, {"answer", *answer}} : json{{"ok", false}};
            write_all(fd, reply.dump() + "\n");
        }
        close(fd);
    }
}

}  // namespace tp::remote
