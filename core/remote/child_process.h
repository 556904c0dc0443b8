#pragma once
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <sys/types.h>

namespace tp::remote {

// A child process started from an argv list (never through a shell) with pipes on its stdin,
// stdout and stderr, in a process group of its own (a Ctrl-C in the terminal reaches us, and we
// decide what the child is told). Qt-free: the CLI and the tests use it; the studio uses QProcess.
class ChildProcess {
public:
    // Starts argv[0] (looked up in PATH when it has no '/') with `extra_env` added to ours.
    // Throws std::runtime_error naming the program when it cannot be started.
    static ChildProcess start(const std::vector<std::string>& argv,
                              const std::map<std::string, std::string>& extra_env = {});

    ChildProcess(ChildProcess&& other) noexcept;
    ChildProcess& operator=(ChildProcess&&) = delete;
    ChildProcess(const ChildProcess&) = delete;
    ~ChildProcess();  // closes the pipes, then ends a child still running (TERM, then KILL)

    pid_t pid() const { return pid_; }
    int stdout_fd() const { return out_; }
    int stderr_fd() const { return err_; }

    // Writes all of `data` to the child's stdin; false when the child no longer reads (EPIPE).
    bool write_all(const std::string& data);
    void close_stdin();
    void close_stdout();

    // The exit status once the child ended: its exit code, or 128 + signal.
    std::optional<int> try_wait();
    int wait();
    // Waits up to `timeout_ms`; returns the status or nothing if it still runs.
    std::optional<int> wait_for(int timeout_ms);
    void signal(int sig);  // to the child's process group

private:
    ChildProcess() = default;
    pid_t pid_ = -1;
    int in_ = -1, out_ = -1, err_ = -1;
    std::optional<int> status_;
};

// Runs a short helper (ssh-keygen, ssh-keyscan) from an argv list with `input` on its stdin; its
// stdout goes to `out`. Returns its exit status (255 when it did not end within `timeout_ms`: killed).
int run_short_helper(const std::vector<std::string>& argv, const std::string& input, std::string& out, int timeout_ms);

// Reads what is available on `fd` into `buffer` (non-blocking); false at end of file.
bool read_available(int fd, std::string& buffer);

}  // namespace tp::remote
