#pragma once
// A real single-host Slurm for one test (munged, slurmctld, slurmd in a temporary folder), brought
// up and stopped by tests/slurm/test-slurm.sh (docs/cluster.md). start() returns why it could not
// start (the test skips with that reason) or nothing; SLURM_CONF is then set for this process and
// its children. Nothing listens beyond this machine; the daemons are stopped by their pid files.
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>

class TestSlurm {
public:
    QString start() {
        if (!dir_.isValid()) return "no temporary folder";
        QProcess up;
        up.setProcessChannelMode(QProcess::MergedChannels);
        up.start("bash", {script(), "up", dir_.path()});
        if (!up.waitForFinished(60000)) {
            up.kill();
            up.waitForFinished(2000);
            stop();
            return "test-slurm.sh up did not finish in 60 s";
        }
        if (up.exitStatus() != QProcess::NormalExit || up.exitCode() != 0)
            return "the single-host Slurm did not start: " + QString::fromUtf8(up.readAll()).trimmed().right(800);
        started_ = true;
        qputenv("SLURM_CONF", conf().toUtf8());
        return {};
    }
    void stop() {
        QProcess down;
        down.start("bash", {script(), "down", dir_.path()});
        down.waitForFinished(30000);
        started_ = false;
    }
    ~TestSlurm() { stop(); }

    QString conf() const { return dir_.filePath("slurm.conf"); }
    QString path(const QString& name) const { return dir_.filePath(name); }
    QString log() const {
        QString all;
        for (const char* name : {"slurmctld.log", "slurmd.log"}) {
            QFile f(dir_.filePath(name));
            if (f.open(QIODevice::ReadOnly)) all += QString(name) + ": " + QString::fromUtf8(f.readAll()).right(1500) + "\n";
        }
        return all;
    }

    // Runs a Slurm client command (squeue, scancel, srun) against this cluster; its stdout.
    static QString run(const QString& program, const QStringList& args, int* exitCode = nullptr, int timeoutMs = 30000) {
        QProcess p;
        p.start(program, args);
        p.waitForFinished(timeoutMs);
        if (exitCode) *exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
        return QString::fromUtf8(p.readAllStandardOutput());
    }
    // "ID|NAME|STATE|REASON" of every job in the queue.
    static QStringList jobs() {
        return run("squeue", {"--noheader", "--format=%i|%j|%T|%r"}).split('\n', Qt::SkipEmptyParts);
    }

private:
    static QString script() { return QString(TAILPRUNE_SOURCE_DIR) + "/tests/slurm/test-slurm.sh"; }
    QTemporaryDir dir_{QDir::tempPath() + "/tp-slurm-XXXXXX"};
    bool started_ = false;
};
