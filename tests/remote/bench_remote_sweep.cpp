// bench_remote_sweep: the cost of the SSH transport, measured in one run on this machine.
// 1. The same small sweep in-process and over ssh to 127.0.0.1 (a test sshd), alternated, wall time
//    of the whole command: ratio (goal <= 1.05x).
// 2. Connection set-up (ssh + handshake + hello) without a master, and with the shared master
//    (goal < 0.3 s with the master).
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

#include <algorithm>
#include <cstdio>
#include <pwd.h>
#include <unistd.h>

#include "tests/cli/cli_runner.h"
#include "test_sshd.h"

namespace {

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v[v.size() / 2];
}

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
    const QStringList sweep = {"profile", "--weights", weights, "--scope", "model", "--scope", "block:3", "--tokens", "2..50:2",
                               "--rounds", "2", "--min-samples", "10", "--min-time", "0.05", "-q", "--seed", "3"};
    const int rounds = argc > 1 ? std::atoi(argv[1]) : 3;

    qputenv("TAILPRUNE_SSH_PERSIST", "0");
    std::vector<double> local, remote;
    for (int i = 0; i < rounds; ++i) {
        int rc = 0;
        local.push_back(timed(sweep + QStringList{"-o", work.filePath("l.json")}, &rc));
        remote.push_back(timed(sweep + QStringList{"-o", work.filePath("r.json"), "--on", "bench"}, &rc));
    }
    std::printf("same sweep (fmnist_vit8, model + block:3, 25 counts, 2 rounds), %d alternations:\n", rounds);
    std::printf("  in-process  median %.2f s  (", median(local));
    for (double x : local) std::printf(" %.2f", x);
    std::printf(" )\n  over ssh    median %.2f s  (", median(remote));
    for (double x : remote) std::printf(" %.2f", x);
    std::printf(" )\n  ratio ssh / in-process: %.3fx\n", median(remote) / median(local));

    auto connect_ms = [] {
        const CliResult r = runCli({"device", "check", "bench", "--json"});
        return QJsonDocument::fromJson(r.out.toUtf8()).object().value("connect_ms").toDouble();
    };
    std::vector<double> fresh, shared, rtt;
    for (int i = 0; i < 5; ++i) fresh.push_back(connect_ms());
    qputenv("TAILPRUNE_SSH_PERSIST", "60");
    connect_ms();  // opens the master
    for (int i = 0; i < 5; ++i) shared.push_back(connect_ms());
    runCli({"device", "disconnect", "bench"});
    std::printf("connection set-up (ssh start to the hello answer), median of 5:\n");
    std::printf("  without a master  %.0f ms\n  with the master   %.0f ms  (ratio %.2fx)\n", median(fresh), median(shared),
                median(shared) / median(fresh));
    return 0;
}
