#include "core/agent/session_socket.h"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "core/agent/session_store.h"
#include "core/util/steady_clock_ms.h"

namespace tp::agent {

namespace {

sockaddr_un address_of(const std::string& path) {
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::strncpy(a.sun_path, path.c_str(), sizeof a.sun_path - 1);
    return a;
}


}  // namespace

int listen_session_socket(const std::string& dir) {
    int dir_fd = -1;
    const std::string path = session_socket_address(dir, dir_fd);
    ::unlink(path.c_str());  // a dead worker's socket
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un a = address_of(path);
    const bool ok = fd >= 0 && ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 && ::listen(fd, 16) == 0;
    const int err = errno;
    if (dir_fd >= 0) ::close(dir_fd);
    if (!ok) {
        if (fd >= 0) ::close(fd);
        throw std::runtime_error("cannot listen on " + dir + "/socket: " + std::strerror(err));
    }
    return fd;
}

int connect_session_socket(const std::string& dir) {
    int dir_fd = -1;
    std::string path;
    try {
        path = session_socket_address(dir, dir_fd);
    } catch (const std::exception&) {
        return -1;
    }
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un a = address_of(path);
    const bool ok = fd >= 0 && ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    if (dir_fd >= 0) ::close(dir_fd);
    if (!ok) {
        if (fd >= 0) ::close(fd);
        return -1;
    }
    return fd;
}

bool send_socket_line(int fd, const std::string& line, int timeout_ms) {
    const long long deadline = steady_now_ms() + timeout_ms;
    std::size_t done = 0;
    while (done < line.size()) {
        const ssize_t n = ::send(fd, line.data() + done, line.size() - done, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0) {
            done += static_cast<std::size_t>(n);
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            const long long left = deadline - steady_now_ms();
            if (left <= 0) return false;
            pollfd p{fd, POLLOUT, 0};
            ::poll(&p, 1, static_cast<int>(left));
            continue;
        }
        return false;
    }
    return true;
}

bool read_socket_line(int fd, std::string& buffer, std::string& line, int timeout_ms) {
    const long long deadline = steady_now_ms() + timeout_ms;
    for (;;) {
        const auto nl = buffer.find('\n');
        if (nl != std::string::npos) {
            line = buffer.substr(0, nl);
            buffer.erase(0, nl + 1);
            return true;
        }
        if (buffer.size() > (1u << 20)) return false;
        const long long left = deadline - steady_now_ms();
        if (left <= 0) return false;
        pollfd p{fd, POLLIN, 0};
        const int r = ::poll(&p, 1, static_cast<int>(left));
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return false;
        char chunk[4096];
        const ssize_t n = ::read(fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        buffer.append(chunk, static_cast<std::size_t>(n));
    }
}

}  // namespace tp::agent
