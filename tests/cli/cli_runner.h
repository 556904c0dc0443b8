#pragma once
// Runs the real `tailprune` binary (env TAILPRUNE_CLI, set by ctest) with an argv list.
#include <QProcess>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

struct CliResult {
    int exitCode = -1;
    QString out;
    QString err;
};

inline QString tailpruneCli() { return QProcessEnvironment::systemEnvironment().value("TAILPRUNE_CLI"); }

inline CliResult runCli(const QStringList& args, int timeoutMs = 60000) {
    QProcess p;
    p.start(tailpruneCli(), args);
    CliResult r;
    if (!p.waitForStarted(10000)) { r.err = "could not start " + tailpruneCli(); return r; }
    p.closeWriteChannel();
    if (!p.waitForFinished(timeoutMs)) { p.kill(); p.waitForFinished(); r.err = "timed out"; return r; }
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2;
    r.out = QString::fromUtf8(p.readAllStandardOutput());
    r.err = QString::fromUtf8(p.readAllStandardError());
    return r;
}

// The shipped Fashion-MNIST ViT's weights (env TAILPRUNE_SOURCE_DIR, set by ctest).
inline QString bundledWeights() {
    return QProcessEnvironment::systemEnvironment().value("TAILPRUNE_SOURCE_DIR") +
           "/resources/models/fmnist_vit8/fmnist_vit8.safetensors";
}

// A loose stopping rule for `profile` / `measure`, for tests that check the wiring, not the figures.
inline const QStringList kQuickTiming{"--rounds", "1", "--warmup", "1", "--min-samples", "3", "--min-time", "0.02",
                                      "--noise", "0.2", "--timeout", "0.5"};
