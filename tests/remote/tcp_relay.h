#pragma once
// A userspace TCP relay on 127.0.0.1 for fault injection (tc netem is not available here): it
// forwards every accepted connection to a target port and can
//   cut()       close all live connections at once (both sides see an orderly close),
//   reset()     abort them (both sides see RST),
//   freeze(on)  stop moving bytes and accepting, silently: no FIN, no RST, as a Wi-Fi link that
//               hangs; the connections carry on where they were when it thaws,
//   setDelayMs  hold every chunk that long before passing it on,
//   setThrottle pass at most that many bytes per second each way.
// New connections keep being accepted after a cut or a reset.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

class TcpRelay {
public:
    explicit TcpRelay(int target_port) : target_(target_port) {
        listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        int one = 1;
        setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        sockaddr_in a = address(0);
        socklen_t len = sizeof a;
        bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
        getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len);
        port_ = ntohs(a.sin_port);
        listen(listen_fd_, 16);
        thread_ = std::thread([this] { loop(); });
    }
    ~TcpRelay() {
        stop_ = true;
        thread_.join();
        close(listen_fd_);
        for (auto& p : pairs_) close_pair(p);
    }
    int port() const { return port_; }
    int accepted() const { return accepted_.load(); }
    // Drops every live connection (both sides see it closed).
    void cut() { cut_ = true; }
    void reset() { reset_ = true; }
    void freeze(bool on) { frozen_ = on; }
    void setDelayMs(int ms) { delay_ms_ = ms; }
    void setThrottle(int bytes_per_s) { throttle_ = bytes_per_s; }

private:
    struct Pair {
        int a = -1, b = -1;
    };
    static sockaddr_in address(int port) {
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(static_cast<uint16_t>(port));
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        return a;
    }
    static void close_pair(Pair& p) {
        if (p.a >= 0) shutdown(p.a, SHUT_RDWR), close(p.a);
        if (p.b >= 0) shutdown(p.b, SHUT_RDWR), close(p.b);
        p.a = p.b = -1;
    }
    static void abort_pair(Pair& p) {
        const linger hard{1, 0};
        for (int fd : {p.a, p.b})
            if (fd >= 0) setsockopt(fd, SOL_SOCKET, SO_LINGER, &hard, sizeof hard), close(fd);
        p.a = p.b = -1;
    }
    void loop() {
        char buf[65536];
        while (!stop_) {
            if (cut_.exchange(false)) {
                for (auto& p : pairs_) close_pair(p);
                pairs_.clear();
            }
            if (reset_.exchange(false)) {
                for (auto& p : pairs_) abort_pair(p);
                pairs_.clear();
            }
            if (frozen_) {  // bytes wait in the kernel's buffers; nobody is told anything
                std::this_thread::sleep_for(std::chrono::milliseconds(50));
                continue;
            }
            std::vector<pollfd> fds{{listen_fd_, POLLIN, 0}};
            for (auto& p : pairs_) {
                fds.push_back({p.a, POLLIN, 0});
                fds.push_back({p.b, POLLIN, 0});
            }
            if (throttle_ > 0) std::this_thread::sleep_for(std::chrono::milliseconds(50));
            if (poll(fds.data(), fds.size(), 50) <= 0) continue;
            if (fds[0].revents & POLLIN) {
                const int c = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
                const int t = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
                sockaddr_in a = address(target_);
                if (c >= 0 && t >= 0 && ::connect(t, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) {
                    pairs_.push_back({c, t});
                    ++accepted_;
                } else {
                    if (c >= 0) close(c);
                    if (t >= 0) close(t);
                }
            }
            for (std::size_t i = 0; i < pairs_.size(); ++i) {
                Pair& p = pairs_[i];
                for (int side = 0; side < 2; ++side) {
                    const pollfd& f = fds[1 + 2 * i + side];
                    if (!(f.revents & (POLLIN | POLLHUP | POLLERR)) || p.a < 0) continue;
                    const int from = side ? p.b : p.a, to = side ? p.a : p.b;
                    // Throttled: at most a 20th of the rate per 50 ms turn.
                    const std::size_t most = throttle_ > 0 ? std::max<std::size_t>(1, static_cast<std::size_t>(throttle_) / 20) : sizeof buf;
                    const ssize_t n = read(from, buf, std::min(most, sizeof buf));
                    if (delay_ms_ > 0 && n > 0) std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms_.load()));
                    if (n <= 0 || !write_all(to, buf, static_cast<std::size_t>(n))) close_pair(p);
                }
            }
            pairs_.erase(std::remove_if(pairs_.begin(), pairs_.end(), [](const Pair& p) { return p.a < 0; }), pairs_.end());
        }
    }

    static bool write_all(int fd, const char* data, std::size_t size) {
        while (size > 0) {
            const ssize_t n = write(fd, data, size);
            if (n <= 0) return false;
            data += n;
            size -= static_cast<std::size_t>(n);
        }
        return true;
    }

    int target_, port_ = 0, listen_fd_ = -1;
    std::atomic<bool> stop_{false}, cut_{false}, reset_{false}, frozen_{false};
    std::atomic<int> delay_ms_{0}, throttle_{0};
    std::atomic<int> accepted_{0};
    std::vector<Pair> pairs_;
    std::thread thread_;
};
