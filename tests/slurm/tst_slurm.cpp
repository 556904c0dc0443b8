// The Slurm transport against a real Slurm: a single-host cluster (munged, slurmctld, slurmd in a
// temporary folder) started here, the system's srun/squeue/scancel, and the real tailprune as the
// agent of its tasks (docs/cluster.md). Skips, saying why, only where the daemons cannot start.
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QtTest>

#include <pwd.h>
#include <signal.h>
#include <unistd.h>

#include "tests/remote/remote_test_util.h"
#include "test_slurm.h"
#include "../remote/test_sshd.h"

namespace {

const QString kWeights = QString(TAILPRUNE_SOURCE_DIR) + "/resources/models/fmnist_vit8/fmnist_vit8.safetensors";
// A small calibration plan: the baseline, one level at every block, two multi-point schedules
// (12 evaluations of 400 holdout images, about a second each here).
const QStringList kCalibrate = {"calibrate", "--weights", kWeights, "--method", "pomt", "--subset", "400",
                                "--levels",  "0.5",       "--multi", "2"};

QString shortHostName() {
    QProcess p;
    p.start("hostname", {"-s"});
    p.waitForFinished(5000);
    return QString::fromUtf8(p.readAllStandardOutput()).trimmed();
}

// What must be equal between two calibrations: every evaluation but its wall time, in file order.
QStringList evaluationKeys(const QJsonObject& calibration) {
    QStringList keys;
    for (const auto& v : calibration.value("evaluations").toArray()) {
        QJsonObject e = v.toObject();
        e.remove("seconds");
        keys << QString::fromUtf8(QJsonDocument(e).toJson(QJsonDocument::Compact));
    }
    return keys;
}

// The jobs of the device's agents (their names start with tailprune-NAME-), "ID|NAME|STATE|REASON".
QStringList agentJobs(const QString& device) {
    QStringList out;
    for (const QString& j : TestSlurm::jobs())
        if (j.section('|', 1, 1).startsWith("tailprune-" + device + "-")) out << j;
    return out;
}

// Starts the CLI and reads its stderr until `pattern` shows (or the time is up).
struct RunningCli {
    QProcess p;
    QString err;
    void start(const QStringList& args) {
        p.start(tailpruneCli(), args);
        p.waitForStarted(10000);
        p.closeWriteChannel();
    }
    bool waitFor(const QRegularExpression& pattern, int timeoutMs) {
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < timeoutMs) {
            p.waitForReadyRead(200);
            err += QString::fromUtf8(p.readAllStandardError());
            if (pattern.match(err).hasMatch()) return true;
            if (p.state() == QProcess::NotRunning) break;
        }
        err += QString::fromUtf8(p.readAllStandardError());
        return pattern.match(err).hasMatch();
    }
    int finish(int timeoutMs) {
        if (!p.waitForFinished(timeoutMs)) {
            p.kill();
            p.waitForFinished(5000);
            return -1;
        }
        err += QString::fromUtf8(p.readAllStandardError());
        return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2;
    }
};

}  // namespace

class Slurm : public QObject {
    Q_OBJECT
private:
    TestSlurm slurm_;
    QTemporaryDir work_{QDir::tempPath() + "/tp-slurm-work-XXXXXX"};
    QString skip_;
    QString reference_;  // the one-process calibration every fanned-out run must equal

    QString devices() const { return work_.filePath("devices.json"); }

    // The one-process calibration of kCalibrate, made once.
    QString reference() {
        if (reference_.isEmpty()) {
            const QString file = work_.filePath("one-process.json");
            const CliResult r = runCli(kCalibrate + QStringList{"--calibration", file}, 300000);
            if (r.exitCode != 0) qWarning("%s", qPrintable(describe(r)));
            reference_ = file;
        }
        return reference_;
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(work_.isValid());
        QVERIFY2(!tailpruneCli().isEmpty(), "ctest sets TAILPRUNE_CLI");
        skip_ = slurm_.start();
        qputenv("TAILPRUNE_DEVICES", devices().toUtf8());
        qputenv("TAILPRUNE_SSH_PERSIST", "0");
        if (!skip_.isEmpty()) return;
        // srun runs here; the cluster's config travels in the device's environment (as it would
        // through a login node) and the agent is this build's tailprune.
        const CliResult add = runCli({"device", "add", "cl", "--slurm", "--agent", tailpruneCli(), "--partition", "test",
                                      "--env", "SLURM_CONF=" + slurm_.conf(), "--time", "10"});
        QVERIFY2(add.exitCode == 0, qPrintable(describe(add)));
    }
    void init() {
        if (!skip_.isEmpty()) QSKIP(qPrintable("the single-host Slurm cannot start here, so the Slurm tests cannot run: " + skip_));
    }
    void cleanup() {
        if (!skip_.isEmpty()) return;
        // Nothing left behind (a job that just ended may show COMPLETING for a moment).
        QElapsedTimer t;
        t.start();
        while (!agentJobs("cl").isEmpty() && t.elapsed() < 15000) QThread::msleep(200);
        QVERIFY2(agentJobs("cl").isEmpty(), qPrintable(agentJobs("cl").join("; ")));
    }
    void cleanupTestCase() { slurm_.stop(); }

    void srunRunsATask() {
        int code = -1;
        const QString out = TestSlurm::run("srun", {"-n1", "hostname", "-s"}, &code);
        QCOMPARE(code, 0);
        QCOMPARE(out.trimmed(), shortHostName());
    }

    void checkReportsTheNodeAndItsGpu() {
        const CliResult r = runCli({"device", "check", "cl", "--json"}, 120000);
        QVERIFY2(r.exitCode == 0, qPrintable(describe(r) + slurm_.log()));
        const QJsonObject c = jsonOf(r.out);
        QCOMPARE(c.value("status").toString(), QString("ready"));
        const QJsonObject job = c.value("slurm").toObject();
        QCOMPARE(job.value("node").toString(), shortHostName());
        QVERIFY(job.value("job_id").toString().toInt() > 0);
        QCOMPARE(job.value("partition").toString(), QString("test"));
        QVERIFY(job.value("job_name").toString().startsWith("tailprune-cl-"));
        const CliResult human = runCli({"device", "check", "cl"}, 120000);
        QVERIFY2(human.exitCode == 0, qPrintable(describe(human)));
        QVERIFY2(human.out.contains(QRegularExpression("Slurm job \\d+ on node " + shortHostName() + ", partition test, GPU none")),
                 qPrintable(human.out));
    }

    void profileThroughSrun() {
        const QStringList spec = {"profile", "--weights", kWeights, "--scope", "model", "--tokens", "2..50:16",
                                  "--rounds", "1", "--warmup", "1", "--min-samples", "3", "--min-time", "0",
                                  "--noise", "0.5", "-q"};
        const QString local = work_.filePath("local.json"), there = work_.filePath("slurm.json");
        const CliResult a = runCli(spec + QStringList{"-o", local}, 120000);
        QVERIFY2(a.exitCode == 0, qPrintable(describe(a)));
        const CliResult b = runCli(spec + QStringList{"-o", there, "--on", "cl"}, 120000);
        QVERIFY2(b.exitCode == 0, qPrintable(describe(b)));
        const QJsonObject pl = readJsonFile(local), ps = readJsonFile(there);
        QCOMPARE(ps.value("model"), pl.value("model"));
        const QJsonArray cl = pl.value("curves").toArray(), cs = ps.value("curves").toArray();
        QCOMPARE(cs.size(), cl.size());
        for (int i = 0; i < cl.size(); ++i) {
            const QJsonArray a1 = cl[i].toObject().value("points").toArray(), a2 = cs[i].toObject().value("points").toArray();
            QCOMPARE(a2.size(), a1.size());
            for (int k = 0; k < a1.size(); ++k) {
                QCOMPARE(a2[k].toObject().value("tokens"), a1[k].toObject().value("tokens"));
                QVERIFY(a2[k].toObject().value("median_ms").toDouble() > 0);
            }
        }
        QCOMPARE(ps.value("device").toObject().value("name"), pl.value("device").toObject().value("name"));
    }

    void calibrationOverTwoTasksEqualsOneProcess() {
        const QString one = reference();
        const QString two = work_.filePath("two-tasks.json");
        const CliResult r = runCli(kCalibrate + QStringList{"--calibration", two, "--on", "cl", "--slurm-tasks", "2"}, 300000);
        QVERIFY2(r.exitCode == 0, qPrintable(describe(r)));
        const QStringList want = evaluationKeys(readJsonFile(one)), got = evaluationKeys(readJsonFile(two));
        QCOMPARE(want.size(), 12);
        QCOMPARE(got, want);  // the same evaluations, the same numbers, in the same order
        // Both tasks took part, each from its own job, and the progress named them.
        QVERIFY2(r.err.contains(QRegularExpression("\\] cl#1 \\(\\S+, Slurm job \\d+\\): pomt")), qPrintable(r.err));
        QVERIFY2(r.err.contains(QRegularExpression("\\] cl#2 \\(\\S+, Slurm job \\d+\\): pomt")), qPrintable(r.err));
        QVERIFY2(r.err.contains("fan-out: 12 evaluation(s)"), qPrintable(r.err));
        // A second run finds nothing left to do.
        const CliResult again = runCli(kCalibrate + QStringList{"--calibration", two, "--on", "cl", "--slurm-tasks", "2"}, 120000);
        QVERIFY2(again.exitCode == 0 && again.err.contains("0 evaluation(s) to run"), qPrintable(describe(again)));
    }

    void aKilledTaskHasItsShareHandedOut() {
        const QString one = reference();
        const QString file = work_.filePath("killed.json");
        RunningCli run;
        run.start(kCalibrate + QStringList{"--calibration", file, "--on", "cl", "--slurm-tasks", "2"});
        QVERIFY2(run.waitFor(QRegularExpression("\\[2/12\\]"), 120000), qPrintable(run.err));
        // Kill one task's job while both run (Slurm ends the step: the agent dies mid-evaluation).
        QStringList running;
        for (const QString& j : agentJobs("cl"))
            if (j.section('|', 2, 2) == "RUNNING") running << j.section('|', 0, 0);
        QVERIFY2(!running.isEmpty(), qPrintable(TestSlurm::jobs().join("; ")));
        int code = -1;
        TestSlurm::run("scancel", {running.first()}, &code);
        QCOMPARE(code, 0);
        QCOMPARE(run.finish(300000), 0);
        QVERIFY2(run.err.contains(QRegularExpression("cl#\\d: lost: .*goes back to the queue")), qPrintable(run.err));
        QVERIFY2(run.err.contains("1 handed out again"), qPrintable(run.err));
        // Nothing lost, nothing counted twice: the file equals the one-process run.
        QCOMPARE(evaluationKeys(readJsonFile(file)), evaluationKeys(readJsonFile(one)));
    }

    void aJobPendingOnResourcesIsShownThenCancelled() {
        // A job holding the whole node: the agent's job must wait for resources.
        QProcess blocker;
        blocker.start("srun", {"-n1", "--exclusive", "--job-name=tp-blocker", "sleep", "300"});
        QVERIFY(blocker.waitForStarted(10000));
        QElapsedTimer t;
        t.start();
        auto blockerRunning = [] {
            for (const QString& j : TestSlurm::jobs())
                if (j.section('|', 1, 1) == "tp-blocker" && j.section('|', 2, 2) == "RUNNING") return true;
            return false;
        };
        while (!blockerRunning() && t.elapsed() < 30000) QThread::msleep(200);
        QVERIFY2(blockerRunning(), qPrintable(TestSlurm::jobs().join("; ")));

        RunningCli check;
        check.start({"device", "check", "cl"});
        const bool shown = check.waitFor(QRegularExpression("device 'cl': job \\d+ PENDING \\(Resources\\)"), 60000);
        const QStringList pending = agentJobs("cl");
        // Ctrl-C: the pending allocation is cancelled, not left in the queue.
        ::kill(check.p.processId(), SIGINT);
        const int exit = check.finish(60000);
        TestSlurm::run("scancel", {"--name=tp-blocker"});
        blocker.waitForFinished(30000);
        QVERIFY2(shown, qPrintable(check.err + TestSlurm::jobs().join("; ")));
        QCOMPARE(pending.size(), 1);
        QCOMPARE(pending.first().section('|', 2, 3), QString("PENDING|Resources"));
        QCOMPARE(exit, 3);
        QVERIFY2(check.err.contains("interrupted while waiting for the Slurm allocation") &&
                     check.err.contains("the job was cancelled (scancel)"),
                 qPrintable(check.err));
    }

    void srunOnALoginNodeOverSsh() {
        // The login node is this machine reached over ssh (a test sshd on 127.0.0.1); srun runs
        // there with the device's environment, every word quoted for the login shell.
        TestSshd sshd;
        const QString why = sshd.start();
        if (!why.isEmpty()) QSKIP(qPrintable("sshd cannot start here: " + why));
        const CliResult login = runCli({"device", "add", "login", "--ssh", userName() + "@127.0.0.1", "--port",
                                        QString::number(sshd.port()), "--identity", sshd.clientKey(), "--agent", "/bin/true",
                                        "--ssh-config", sshd.sshConfig(), "--known-hosts", work_.filePath("known_hosts")});
        QVERIFY2(login.exitCode == 0, qPrintable(describe(login)));
        // An agent path full of shell syntax reaches srun as one word.
        const QString nasty = work_.filePath("we ird 'q' $(touch PWNED1); `touch PWNED2`");
        QVERIFY(QDir().mkpath(nasty));
        QVERIFY(QFile::link(tailpruneCli(), nasty + "/tailprune"));
        const CliResult add = runCli({"device", "add", "viassh", "--slurm", "--login", "login", "--agent", nasty + "/tailprune",
                                      "--env", "SLURM_CONF=" + slurm_.conf(), "--partition", "test"});
        QVERIFY2(add.exitCode == 0, qPrintable(describe(add)));
        const CliResult r = runCli({"device", "check", "viassh", "--json"}, 120000);
        QVERIFY2(r.exitCode == 0, qPrintable(describe(r) + sshd.log().right(800)));
        const QJsonObject c = jsonOf(r.out);
        QCOMPARE(c.value("status").toString(), QString("ready"));
        QVERIFY(c.value("slurm").toObject().value("job_name").toString().startsWith("tailprune-viassh-"));
        QVERIFY(c.value("first_contact").toBool());  // the login node's host key was recorded
        for (const QString& marker : {"PWNED1", "PWNED2"}) {
            QVERIFY(!QFile::exists(QDir::home().filePath(marker)));
            QVERIFY(!QFile::exists(work_.filePath(marker)));
        }
        QVERIFY(agentJobs("viassh").isEmpty());
    }
};

QTEST_GUILESS_MAIN(Slurm)
#include "tst_slurm.moc"
