#include "core/remote/child_process.h"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <thread>

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace tp::remote {

namespace {

std::string find_in_path(const std::string& program) {
    if (program.find('/') != std::string::npos) return program;
    const char* path = std::getenv("PATH");
    std::string dirs = path && *path ? path : "/usr/bin:/bin";
    std::size_t start = 0;
    while (start <= dirs.size()) {
        std::size_t end = dirs.find(':', start);
        if (end == std::string::npos) end = dirs.size();
        std::string dir = dirs.substr(start, end - start);
        std::string candidate = (dir.empty() ? "." : dir) + "/" + program;
        if (access(candidate.c_str(), X_OK) == 0) return candidate;
        start = end + 1;
    }
    return program;
}

int decode_status(int status) {
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return 255;
}

}  // namespace

ChildProcess ChildProcess::start(const std::vector<std::string>& argv, const std::map<std::string, std::string>& extra_env) {
    if (argv.empty()) throw std::runtime_error("no program to start");
    // Everything the child needs is built before fork: after it, only async-signal-safe calls.
    const std::string program = find_in_path(argv[0]);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    std::vector<std::string> env_text;
    for (char** e = environ; e && *e; ++e) {
        std::string entry = *e;
        const std::string key = entry.substr(0, entry.find('='));
        if (!extra_env.count(key)) env_text.push_back(std::move(entry));
    }
    for (const auto& [key, value] : extra_env) env_text.push_back(key + "=" + value);
    std::vector<char*> envp;
    for (auto& e : env_text) envp.push_back(e.data());
    envp.push_back(nullptr);

    int in[2], out[2], err[2], report[2];
    if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC) || pipe2(report, O_CLOEXEC))
        throw std::runtime_error(std::string("cannot create pipes: ") + std::strerror(errno));
    const pid_t pid = fork();
    if (pid < 0) throw std::runtime_error(std::string("cannot fork: ") + std::strerror(errno));
    if (pid == 0) {
        setpgid(0, 0);
        ::signal(SIGPIPE, SIG_DFL);
        ::signal(SIGINT, SIG_DFL);
        dup2(in[0], STDIN_FILENO);
        dup2(out[1], STDOUT_FILENO);
        dup2(err[1], STDERR_FILENO);
        execve(program.c_str(), args.data(), envp.data());
        const int e = errno;
        (void)!write(report[1], &e, sizeof e);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    close(err[1]);
    close(report[1]);
    int exec_errno = 0;
    ssize_t n;
    do n = read(report[0], &exec_errno, sizeof exec_errno);
    while (n < 0 && errno == EINTR);
    close(report[0]);
    ChildProcess child;
    child.pid_ = pid;
    child.in_ = in[1];
    child.out_ = out[0];
    child.err_ = err[0];
    if (n == sizeof exec_errno) {
        child.wait();
        throw std::runtime_error("cannot start '" + argv[0] + "': " + std::strerror(exec_errno));
    }
    fcntl(child.out_, F_SETFL, fcntl(child.out_, F_GETFL) | O_NONBLOCK);
    fcntl(child.err_, F_SETFL, fcntl(child.err_, F_GETFL) | O_NONBLOCK);
    return child;
}

ChildProcess::ChildProcess(ChildProcess&& o) noexcept
    : pid_(o.pid_), in_(o.in_), out_(o.out_), err_(o.err_), status_(o.status_) {
    o.pid_ = -1;
    o.in_ = o.out_ = o.err_ = -1;
}

ChildProcess::~ChildProcess() {
    close_stdin();
    close_stdout();
    if (err_ >= 0) close(err_);
    if (pid_ > 0 && !status_) {
        if (!wait_for(2000)) {
            signal(SIGTERM);
            if (!wait_for(2000)) {
                signal(SIGKILL);
                wait();
            }
        }
    }
}

namespace {

// Writing to a child that already exited (ssh refused, say) raises SIGPIPE, which would end the
// whole process (the studio, a test) unless it ignores the signal. SIGPIPE is sent to the writing
// thread, so it is blocked for the write and a pending one taken back afterwards: the write just
// fails with EPIPE, whatever the process's own handler is.
class SigpipeSuppressed {
public:
    SigpipeSuppressed() {
        sigemptyset(&pipe_);
        sigaddset(&pipe_, SIGPIPE);
        sigset_t pending;
        sigpending(&pending);
        was_pending_ = sigismember(&pending, SIGPIPE) == 1;
        pthread_sigmask(SIG_BLOCK, &pipe_, &old_);
    }
    ~SigpipeSuppressed() {
        if (!was_pending_) {
            const timespec none{0, 0};
            while (sigtimedwait(&pipe_, nullptr, &none) > 0) {
            }
        }
        pthread_sigmask(SIG_SETMASK, &old_, nullptr);
    }

private:
    sigset_t pipe_{}, old_{};
    bool was_pending_ = false;
};

}  // namespace

bool ChildProcess::write_all(const std::string& data) {
    if (in_ < 0) return false;
    SigpipeSuppressed quiet;
    std::size_t done = 0;
    while (done < data.size()) {
        const ssize_t n = ::write(in_, data.data() + done, data.size() - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            return false;  // EPIPE: the child stopped reading
        }
        done += static_cast<std::size_t>(n);
    }
    return true;
}

void ChildProcess::close_stdin() {
    if (in_ >= 0) close(in_);
    in_ = -1;
}

void ChildProcess::close_stdout() {
    if (out_ >= 0) close(out_);
    out_ = -1;
}

std::optional<int> ChildProcess::try_wait() {
    if (status_ || pid_ <= 0) return status_;
    int status = 0;
    pid_t r;
    do r = waitpid(pid_, &status, WNOHANG);
    while (r < 0 && errno == EINTR);
    if (r == pid_) status_ = decode_status(status);
    return status_;
}

int ChildProcess::wait() {
    if (status_ || pid_ <= 0) return status_.value_or(255);
    int status = 0;
    pid_t r;
    do r = waitpid(pid_, &status, 0);
    while (r < 0 && errno == EINTR);
    status_ = r == pid_ ? decode_status(status) : 255;
    return *status_;
}

std::optional<int> ChildProcess::wait_for(int timeout_ms) {
    const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (!try_wait()) {
        if (std::chrono::steady_clock::now() >= end) return std::nullopt;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return status_;
}

void ChildProcess::signal(int sig) {
    if (pid_ > 0 && !status_) {
        ::kill(-pid_, sig);
        ::kill(pid_, sig);
    }
}

int run_short_helper(const std::vector<std::string>& argv, const std::string& input, std::string& out, int timeout_ms) {
    ChildProcess child = ChildProcess::start(argv);
    child.write_all(input);
    child.close_stdin();
    std::string err;
    bool open = true;
    while (open) {
        pollfd p{child.stdout_fd(), POLLIN, 0};
        if (poll(&p, 1, timeout_ms) <= 0) break;
        open = read_available(child.stdout_fd(), out);
        read_available(child.stderr_fd(), err);
    }
    auto status = child.wait_for(timeout_ms);
    if (!status) {
        child.signal(SIGKILL);
        child.wait();
    }
    return status.value_or(255);
}

bool read_available(int fd, std::string& buffer) {
    if (fd < 0) return false;
    char chunk[65536];
    for (;;) {
        const ssize_t n = ::read(fd, chunk, sizeof chunk);
        if (n > 0) {
            buffer.append(chunk, static_cast<std::size_t>(n));
            continue;
        }
        if (n == 0) return false;
        if (errno == EINTR) continue;
        return errno == EAGAIN || errno == EWOULDBLOCK;
    }
}

}  // namespace tp::remote
