#pragma once
// Small helpers shared by the suites that drive the real `tailprune` against real daemons
// (tst_remote_ssh, tst_remote_sessions, tst_slurm).
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QString>

#include <pwd.h>
#include <unistd.h>

#include "tests/cli/cli_runner.h"

// The user the tests log in as over ssh.
inline QString userName() {
    const passwd* pw = getpwuid(getuid());
    return pw ? QString::fromLocal8Bit(pw->pw_name) : QString("root");
}

inline QJsonObject jsonOf(const QString& text) { return QJsonDocument::fromJson(text.toUtf8()).object(); }

inline QJsonObject readJsonFile(const QString& path) {
    QFile f(path);
    f.open(QIODevice::ReadOnly);
    return QJsonDocument::fromJson(f.readAll()).object();
}

// A CLI run in words, for failure messages.
inline QString describe(const CliResult& r) {
    return "exit " + QString::number(r.exitCode) + "\nstdout: " + r.out + "\nstderr: " + r.err;
}
