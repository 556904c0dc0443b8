// bench_remote_sweep: the cost of the SSH transport, measured in one run on this machine.
// 1. The same small sweep in-process and over ssh to 127.0.0.1 (a test sshd), alternated, wall time
//    of the whole command: ratio (goal <= 1.05x).
// 2. Connection set-up (ssh running /bin/true) without a master and with the shared master (goal
//    < 0.3 s with the master), and the agent's start + handshake locally vs over ssh.
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

#include <algorithm>
#include <cstdio>
#include <pwd.h>
#include <unistd.h>

#include "core/remote/child_process.h"
#include "core/remote/device_list.h"
#include "core/remote/ssh_command.h"
#include "core/util/median.h"
#include "tests/cli/cli_runner.h"
#include "test_sshd.h"

namespace {

using tp::median;  // core/util/median.h

double timed(const QStringList& args, int* exitCode) {
    QElapsedTimer t;
    t.start();
    const CliResult r = runCli(args, 600000);
    *exitCode = r.exitCode;
    if (r.exitCode != 0) std::fprintf(stderr, "failed: %s\n", qPrintable(r.err));
    return t.elapsed() / 1000.0;
}

}  // namespace

int main(int argc, char** argv) {
    QCoreApplication app(argc, argv);
    TestSshd sshd;
    const QString why = sshd.start();
    if (!why.isEmpty()) {
        std::printf("sshd cannot start: %s\n", qPrintable(why));
        return 1;
    }
    QTemporaryDir work;
    qputenv("TAILPRUNE_DEVICES", work.filePath("devices.json").toUtf8());
    const passwd* pw = getpwuid(getuid());
    const QString user = pw ? pw->pw_name : "root";
    runCli({"device", "add", "bench", "--ssh", user + "@127.0.0.1", "--port", QString::number(sshd.port()), "--identity",
            sshd.clientKey(), "--agent", tailpruneCli(), "--ssh-config", sshd.sshConfig(), "--known-hosts",
            work.filePath("kh")});
    const QString weights = QString(TAILPRUNE_SOURCE_DIR) + "/resources/models/fmnist_vit8/fmnist_vit8.safetensors";
    const QStringList sweep = {"profile", "--weights", weights, "--scope", "model", "--scope", "block:3", "--tokens", "2..50",
                               "--rounds", "2", "--min-samples", "10", "--min-time", "0.1", "--noise", "0.5", "-q", "--seed", "3"};
    // A loose noise target: every visit stops at its minimum work, so both runs do the same work and the
    // ratio is the transport's cost, not how noisy the machine was during each.
    const int rounds = argc > 1 ? std::atoi(argv[1]) : 3;

    qputenv("TAILPRUNE_SSH_PERSIST", "0");
    std::vector<double> local, agent, remote;
    for (int i = 0; i < rounds; ++i) {
        int rc = 0;
        local.push_back(timed(sweep + QStringList{"-o", work.filePath("l.json")}, &rc));
        agent.push_back(timed(sweep + QStringList{"-o", work.filePath("a.json"), "--on", "local"}, &rc));
        remote.push_back(timed(sweep + QStringList{"-o", work.filePath("r.json"), "--on", "bench"}, &rc));
    }
    std::printf("same sweep (fmnist_vit8, model + block:3, 49 counts, 2 rounds, fixed work per visit), %d alternations:\n", rounds);
    std::printf("  in-process  median %.2f s  (", median(local));
    for (double x : local) std::printf(" %.2f", x);
    std::printf(" )\n  local agent median %.2f s  (", median(agent));
    for (double x : agent) std::printf(" %.2f", x);
    std::printf(" )\n  over ssh    median %.2f s  (", median(remote));
    for (double x : remote) std::printf(" %.2f", x);
    std::printf(" )\n  ratio ssh / local agent (the transport): %.3fx;  ssh / in-process: %.3fx\n",
                median(remote) / median(agent), median(remote) / median(local));

    // Connection set-up alone: ssh runs /bin/true on the device (no agent), fresh and with a master.
    tp::remote::DeviceEntry d = tp::remote::load_device_list(work.filePath("devices.json").toStdString()).devices.at(0);
    d.agent = "/bin/true";
    auto ssh_true_ms = [&](const tp::remote::SshOptions& o) {
        QElapsedTimer t;
        t.start();
        tp::remote::ChildProcess child = tp::remote::ChildProcess::start(tp::remote::ssh_argv(d, o, {}));
        child.close_stdin();
        child.wait();
        return t.nsecsElapsed() / 1e6;
    };
    tp::remote::SshOptions fresh_options;
    fresh_options.master = false;
    tp::remote::SshOptions master_options;
    master_options.control_dir = work.filePath("ctl").toStdString();
    master_options.persist_s = 60;
    std::vector<double> fresh, shared, hello_local, hello_ssh;
    for (int i = 0; i < 7; ++i) fresh.push_back(ssh_true_ms(fresh_options));
    ssh_true_ms(master_options);  // opens the master
    for (int i = 0; i < 7; ++i) shared.push_back(ssh_true_ms(master_options));
    {
        tp::remote::ChildProcess close = tp::remote::ChildProcess::start(tp::remote::ssh_master_exit_argv(d, master_options));
        close.close_stdin();
        close.wait();
    }
    // The whole handshake of `device check` (ssh + starting the agent, which loads LibTorch, + hello).
    auto connect_ms = [](const QString& name) {
        const CliResult r = runCli({"device", "check", name, "--json"});
        return QJsonDocument::fromJson(r.out.toUtf8()).object().value("connect_ms").toDouble();
    };
    for (int i = 0; i < 5; ++i) hello_local.push_back(connect_ms("local"));
    qputenv("TAILPRUNE_SSH_PERSIST", "60");
    connect_ms("bench");
    for (int i = 0; i < 5; ++i) hello_ssh.push_back(connect_ms("bench"));
    runCli({"device", "disconnect", "bench"});
    std::printf("connection set-up to 127.0.0.1 (ssh runs /bin/true), median of 7:\n");
    std::printf("  without a master  %.0f ms\n  with the master   %.0f ms  (ratio %.2fx)\n", median(fresh), median(shared),
                median(shared) / median(fresh));
    std::printf("agent start + handshake (device check's connect_ms), median of 5:\n");
    std::printf("  local agent                    %.0f ms\n  over ssh with the master       %.0f ms  (ratio %.2fx)\n",
                median(hello_local), median(hello_ssh), median(hello_ssh) / median(hello_local));
    return 0;
}
