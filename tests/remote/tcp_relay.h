#pragma once
// A userspace TCP relay on 127.0.0.1 for fault injection (tc netem is not available here): it
// forwards every accepted connection to a target port and can cut all live connections at once,
// as a Wi-Fi drop would. New connections keep being accepted after a cut.
#include <atomic>
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
    void loop() {
        char buf[65536];
        while (!stop_) {
            if (cut_.exchange(false)) {
                for (auto& p : pairs_) close_pair(p);
                pairs_.clear();
            }
            std::vector<pollfd> fds{{listen_fd_, POLLIN, 0}};
            for (auto& p : pairs_) {
                fds.push_back({p.a, POLLIN, 0});
                fds.push_back({p.b, POLLIN, 0});
            }
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
                    const ssize_t n = read(from, buf, sizeof buf);
                    if (n <= 0 || write(to, buf, static_cast<std::size_t>(n)) != n) close_pair(p);
                }
            }
            pairs_.erase(std::remove_if(pairs_.begin(), pairs_.end(), [](const Pair& p) { return p.a < 0; }), pairs_.end());
        }
    }

    int target_, port_ = 0, listen_fd_ = -1;
    std::atomic<bool> stop_{false}, cut_{false};
    std::atomic<int> accepted_{0};
    std::vector<Pair> pairs_;
    std::thread thread_;
};
