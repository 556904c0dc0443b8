#pragma once
#include <atomic>
#include <functional>
#include <optional>
#include <string>
#include <thread>

namespace tp::remote {

// OpenSSH asks for a key's passphrase through SSH_ASKPASS (with SSH_ASKPASS_REQUIRE=force): it
// runs `tailprune` with the prompt as its only argument and TAILPRUNE_ASKPASS=1 in its environment,
// and reads the answer from its stdout. The answer comes from the terminal (CLI), or from whoever
// serves the socket named by TAILPRUNE_ASKPASS_SOCKET (the studio's dialog). Never from an
// environment variable, and nothing is stored.

inline constexpr const char* kAskpassSocketEnv = "TAILPRUNE_ASKPASS_SOCKET";

// Whether this process can ask someone: a controlling terminal, or an askpass socket.
bool askpass_available();

// The askpass program's work: prints the answer and returns 0, or returns 1 (cancelled, no one
// to ask). `prompt` is what ssh passed.
int run_askpass(const std::string& prompt);

// Serves askpass questions on a Unix socket in a private folder until destroyed. `answer` gets the
// prompt and returns the passphrase, or nothing to cancel that connection only.
class AskpassServer {
public:
    using Answer = std::function<std::optional<std::string>(const std::string& prompt)>;
    explicit AskpassServer(Answer answer);
    ~AskpassServer();
    AskpassServer(const AskpassServer&) = delete;
    AskpassServer& operator=(const AskpassServer&) = delete;

    const std::string& socket_path() const { return path_; }
    int questions() const { return questions_.load(); }

private:
    void serve();
    Answer answer_;
    std::string dir_, path_;
    int listen_fd_ = -1;
    std::atomic<bool> stop_{false};
    std::atomic<int> questions_{0};
    std::thread thread_;
};

}  // namespace tp::remote
