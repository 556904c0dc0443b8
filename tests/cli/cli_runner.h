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
