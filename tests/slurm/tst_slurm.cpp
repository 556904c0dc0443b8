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

#include "core/agent/session_journal.h"
#include "tests/remote/remote_test_util.h"
#include "test_slurm.h"
#include "../remote/test_sshd.h"

namespace {

const QString kWeights = QString(TAILPRUNE_SOURCE_DIR) + "/resources/models/fmnist_vit8/fmnist_vit8.safetensors";
// A small calibration plan: the baseline, one level at every block, two multi-point schedules and
// the plan's two-cut schedules at nearby blocks (24 evaluations since issue 26's plan; 200 holdout
// images, about half a second each here). The cases read the count from the one-process file.
const QStringList kCalibrate = {"calibrate", "--weights", kWeights, "--method", "pomt", "--subset", "200",
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

// The small sweep the profile cases run (a few seconds here).
const QStringList kSweep = {"profile", "--weights", kWeights, "--scope", "model", "--tokens", "2..50:16",
                            "--rounds", "1", "--warmup", "1", "--min-samples", "3", "--min-time", "0",
                            "--noise", "0.5", "-q"};

// Token counts of every curve's points in a profile file, curve after curve.
QList<int> profileTokens(const QString& path) {
    QList<int> tokens;
    for (const auto& c : readJsonFile(path).value("curves").toArray())
        for (const auto& p : c.toObject().value("points").toArray()) tokens << p.toObject().value("tokens").toInt();
    return tokens;
}

// `session list --on DEVICE --json`'s entry for session `id` (empty when it is not listed).
QJsonObject listedSession(const QString& device, const QString& id, QString* failure = nullptr) {
    const CliResult r = runCli({"session", "list", "--on", device, "--json"}, 120000);
    if (r.exitCode != 0 && failure) *failure = describe(r);
    for (const auto& s : jsonOf(r.out).value("sessions").toArray())
        if (s.toObject().value("id").toString() == id) return s.toObject();
    return {};
}

// The jobs whose name starts with `prefix`, "ID|NAME|STATE|REASON".
QStringList jobsNamed(const QString& prefix) {
    QStringList out;
    for (const QString& j : TestSlurm::jobs())
        if (j.section('|', 1, 1).startsWith(prefix)) out << j;
    return out;
}

// A sweep long enough to stop in the middle: 17 token counts, ~0.2 s each.
const QStringList kLongSweep = {"profile", "--weights", kWeights, "--scope", "model", "--tokens", "2..50:3",
                                "--rounds", "1", "--warmup", "1", "--min-samples", "3", "--min-time", "0.2",
                                "--noise", "0.5", "--timeout", "2", "-q"};

// Point records per token count in a session folder's journal.
QMap<int, int> journaledPoints(const QString& sessionDir) {
    QMap<int, int> count;
    for (const auto& r : tp::agent::read_journal((sessionDir + "/journal.jsonl").toStdString()))
        if (r.value("event", std::string()) == "point") count[r["point"].value("tokens", -1)]++;
    return count;
}

bool waitUntilNoJobs(const QString& prefix, int timeoutMs) {
    QElapsedTimer t;
    t.start();
    while (!jobsNamed(prefix).isEmpty() && t.elapsed() < timeoutMs) QThread::msleep(200);
    return jobsNamed(prefix).isEmpty();
}

}  // namespace

class Slurm : public QObject {
    Q_OBJECT
private:
    TestSlurm slurm_;
    QTemporaryDir work_{QDir::tempPath() + "/tp-slurm-work-XXXXXX"};
    QString skip_;
    QString reference_;  // the one-process calibration every fanned-out run must equal
    QList<int> longSweepTokens_;  // kLongSweep's token counts, run here once

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
        QVERIFY2(want.size() >= 12, qPrintable(QString::number(want.size())));  // the plan, whatever its size
        QCOMPARE(got, want);  // the same evaluations, the same numbers, in the same order
        // Both tasks took part, each from its own job, and the progress named them.
        QVERIFY2(r.err.contains(QRegularExpression("\\] cl#1 \\(\\S+, Slurm job \\d+\\): pomt")), qPrintable(r.err));
        QVERIFY2(r.err.contains(QRegularExpression("\\] cl#2 \\(\\S+, Slurm job \\d+\\): pomt")), qPrintable(r.err));
        QVERIFY2(r.err.contains(QString("fan-out: %1 evaluation(s)").arg(want.size())), qPrintable(r.err));
        // A second run finds nothing left to do.
        const CliResult again = runCli(kCalibrate + QStringList{"--calibration", two, "--on", "cl", "--slurm-tasks", "2"}, 120000);
        QVERIFY2(again.exitCode == 0 && again.err.contains("0 evaluation(s) to run"), qPrintable(describe(again)));
    }

    void aKilledTaskHasItsShareHandedOut() {
        const QString one = reference();
        const QString file = work_.filePath("killed.json");
        RunningCli run;
        run.start(kCalibrate + QStringList{"--calibration", file, "--on", "cl", "--slurm-tasks", "2"});
        QVERIFY2(run.waitFor(QRegularExpression("\\[2/\\d+\\]"), 120000), qPrintable(run.err));
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

    // Batch sessions (sbatch): the session folder in the device's sessions_dir, the worker as the
    // batch job's one step; the job waits (a job holds the node), `session list` shows it queued
    // with Slurm's state and reason, `session attach` waits for it and gets the whole profile,
    // equal in points to a direct run. Here, and with sbatch on a login node reached over ssh.
    void batchSessionAttachedLater_data() {
        QTest::addColumn<bool>("viaLogin");
        QTest::newRow("sbatch here") << false;
        QTest::newRow("sbatch on a login node over ssh") << true;
    }
    void batchSessionAttachedLater() {
        QFETCH(bool, viaLogin);
        const QString device = viaLogin ? "btlogin" : "bt";
        const QString shared = work_.filePath("shared-sessions-" + device);
        TestSshd sshd;
        QStringList login;
        if (viaLogin) {
            const QString why = sshd.start();
            if (!why.isEmpty()) QSKIP(qPrintable("sshd cannot start here: " + why));
            const CliResult l = runCli({"device", "add", "btlogin-node", "--ssh", userName() + "@127.0.0.1", "--port",
                                        QString::number(sshd.port()), "--identity", sshd.clientKey(), "--agent", "/bin/true",
                                        "--ssh-config", sshd.sshConfig(), "--known-hosts", work_.filePath("known_hosts"),
                                        "--replace"});
            QVERIFY2(l.exitCode == 0, qPrintable(describe(l)));
            login = {"--login", "btlogin-node"};
        }
        const CliResult add = runCli(QStringList{"device", "add", device, "--slurm", "--agent", tailpruneCli(), "--partition",
                                                 "test", "--env", "SLURM_CONF=" + slurm_.conf(), "--time", "10",
                                                 "--sessions-dir", shared, "--replace"} + login);
        QVERIFY2(add.exitCode == 0, qPrintable(describe(add)));

        const QString direct = work_.filePath(device + "-direct.json"), later = work_.filePath(device + "-attached.json");
        const CliResult d = runCli(kSweep + QStringList{"-o", direct}, 120000);
        QVERIFY2(d.exitCode == 0, qPrintable(describe(d)));

        // A job holding the node: the batch job must wait for resources.
        int code = -1;
        TestSlurm::run("sbatch", {"--exclusive", "--job-name=tp-blocker", "--output=/dev/null", "--wrap=sleep 300"}, &code);
        QCOMPARE(code, 0);
        auto releaseBlocker = [] { TestSlurm::run("scancel", {"--name=tp-blocker"}); };
        QElapsedTimer t;
        t.start();
        while (jobsNamed("tp-blocker").filter("|RUNNING|").isEmpty() && t.elapsed() < 30000) QThread::msleep(200);

        const CliResult submit = runCli(kSweep + QStringList{"-o", later, "--on", device, "--sbatch"}, 120000);
        if (submit.exitCode != 0) releaseBlocker();
        QVERIFY2(submit.exitCode == 0, qPrintable(describe(submit)));
        const QStringList printed = submit.out.trimmed().split(' ');
        QCOMPARE(printed.size(), 2);  // the session id and the Slurm job id
        const QString id = printed[0], jobId = printed[1];
        QVERIFY2(submit.err.contains("as Slurm job " + jobId), qPrintable(submit.err));
        QVERIFY(QFile::exists(shared + "/" + id + "/request.json"));  // the journal's folder is on "shared storage"

        QString failure;
        const QJsonObject queued = listedSession(device, id, &failure);
        QVERIFY2(failure.isEmpty(), qPrintable(failure));
        const QJsonObject slurm = queued.value("slurm").toObject();
        const bool shownPending = queued.value("status").toString() == "queued" && slurm.value("state").toString() == "PENDING" &&
                                  slurm.value("reason").toString() == "Resources" && slurm.value("job").toString() == jobId;
        const CliResult human = runCli({"session", "list", "--on", device}, 120000);

        // Attach while it waits; then free the node: the attach follows it to the end.
        RunningCli attach;
        attach.start({"session", "attach", id, "--on", device, "-o", later, "-q"});
        const bool toldWaiting = attach.waitFor(QRegularExpression("Slurm job " + jobId + " PENDING \\(Resources\\)"), 60000);
        releaseBlocker();
        const int attached = attach.finish(180000);
        QVERIFY2(shownPending, qPrintable(QJsonDocument(queued).toJson()));
        QVERIFY2(human.out.contains(QRegularExpression(id + "\\s+profile\\s+queued")) &&
                     human.out.contains("Slurm job " + jobId + " PENDING (Resources)"),
                 qPrintable(describe(human)));
        QVERIFY2(toldWaiting, qPrintable(attach.err));
        QVERIFY2(attached == 0, qPrintable(attach.err + slurm_.log()));
        QCOMPARE(profileTokens(later), profileTokens(direct));  // the complete profile, every point
        QVERIFY(!profileTokens(later).isEmpty());
        QVERIFY(!readJsonFile(later).value("partial").toBool());

        const QJsonObject state = readJsonFile(shared + "/" + id + "/state.json");
        QCOMPARE(state.value("status").toString(), QString("finished"));
        QCOMPARE(state.value("slurm_job").toString(), jobId);
        QVERIFY(state.value("slurm_job_name").toString().startsWith("tailprune-" + device + "-"));
        QVERIFY(QFile::exists(shared + "/" + id + "/slurm-" + jobId + ".out"));
        QCOMPARE(listedSession(device, id).value("status").toString(), QString("finished"));
        QVERIFY2(waitUntilNoJobs("tailprune-" + device + "-", 15000), qPrintable(TestSlurm::jobs().join("; ")));
        QVERIFY2(waitUntilNoJobs("tp-blocker", 15000), qPrintable(TestSlurm::jobs().join("; ")));
    }

    // A batch job that cannot start for an hour (--begin, from the entry's srun_flags): listed as
    // queued with Slurm's reason; `session cancel` marks the session cancelled and scancels the job.
    void pendingBatchSessionCancelled() {
        const QString shared = work_.filePath("shared-sessions-btpend");
        const CliResult add = runCli({"device", "add", "btpend", "--slurm", "--agent", tailpruneCli(), "--partition", "test",
                                      "--env", "SLURM_CONF=" + slurm_.conf(), "--srun-flag=--begin=now+1hour",
                                      "--sessions-dir", shared, "--replace"});
        QVERIFY2(add.exitCode == 0, qPrintable(describe(add)));
        const CliResult submit = runCli(kSweep + QStringList{"-o", work_.filePath("never.json"), "--on", "btpend", "--sbatch"}, 120000);
        QVERIFY2(submit.exitCode == 0, qPrintable(describe(submit)));
        const QString id = submit.out.trimmed().section(' ', 0, 0), jobId = submit.out.trimmed().section(' ', 1, 1);
        const QStringList queuedJobs = jobsNamed("tailprune-btpend-");
        QCOMPARE(queuedJobs.size(), 1);
        QCOMPARE(queuedJobs.first().section('|', 0, 0), jobId);
        QCOMPARE(queuedJobs.first().section('|', 2, 3), QString("PENDING|BeginTime"));
        const QJsonObject listed = listedSession("btpend", id);
        QCOMPARE(listed.value("status").toString(), QString("queued"));
        QCOMPARE(listed.value("slurm").toObject().value("reason").toString(), QString("BeginTime"));
        QCOMPARE(listed.value("slurm_job").toString(), jobId);  // noted at submission

        const CliResult cancel = runCli({"session", "cancel", id, "--on", "btpend"}, 120000);
        QVERIFY2(cancel.exitCode == 0 && cancel.out.contains("cancelled (scancel)"), qPrintable(describe(cancel)));
        QVERIFY2(waitUntilNoJobs("tailprune-btpend-", 15000), qPrintable(TestSlurm::jobs().join("; ")));
        const QJsonObject after = listedSession("btpend", id);
        QCOMPARE(after.value("status").toString(), QString("cancelled"));
        QVERIFY(!QFile::exists(shared + "/" + id + "/journal.jsonl"));  // its worker never ran
        // Attaching to it says so at once rather than waiting.
        const CliResult attach = runCli({"session", "attach", id, "--on", "btpend", "-o", work_.filePath("never.json")}, 120000);
        QVERIFY2(attach.exitCode != 0 && attach.err.contains("cancelled"), qPrintable(describe(attach)));
    }

    // measure --sbatch: the same batch path for a job of one result; attach writes it as JSON.
    void measureAsABatchJob() {
        const QString shared = work_.filePath("shared-sessions-btm");
        const CliResult add = runCli({"device", "add", "btm", "--slurm", "--agent", tailpruneCli(), "--partition", "test",
                                      "--env", "SLURM_CONF=" + slurm_.conf(), "--sessions-dir", shared, "--replace"});
        QVERIFY2(add.exitCode == 0, qPrintable(describe(add)));
        const QString schedule = QString(TAILPRUNE_TESTDATA_DIR) + "/schedules/deit_tiny_fp16_cut.schedule.json";
        const CliResult submit = runCli({"measure", "--schedule", schedule, "--dtype", "fp32", "--rounds", "1", "--warmup", "1",
                                         "--min-samples", "3", "--min-time", "0", "--no-baseline", "--on", "btm", "--sbatch"},
                                        120000);
        QVERIFY2(submit.exitCode == 0, qPrintable(describe(submit)));
        const QString id = submit.out.trimmed().section(' ', 0, 0);
        const QString result = work_.filePath("btm-measure.json");
        const CliResult attach = runCli({"session", "attach", id, "--on", "btm", "-o", result, "-q"}, 180000);
        QVERIFY2(attach.exitCode == 0, qPrintable(describe(attach)));
        const QJsonObject r = readJsonFile(result);
        QVERIFY2(r.value("schedule").toObject().value("median_ms").toDouble() > 0, qPrintable(QJsonDocument(r).toJson()));
        QCOMPARE(readJsonFile(shared + "/" + id + "/state.json").value("slurm_job").toString(),
                 submit.out.trimmed().section(' ', 1, 1));
        QVERIFY2(waitUntilNoJobs("tailprune-btm-", 15000), qPrintable(TestSlurm::jobs().join("; ")));
    }

    // A batch session's job ends mid-sweep: Slurm ends it (scancel: SIGTERM, as at the time limit
    // or on preemption), or its worker dies at once (kill -9, as when the node is lost). The session
    // is then "died", `session resume` submits a new job on the same folder, and the profile
    // attached at the end has every token count exactly once (the journal too: nothing measured twice).
    void batchSessionResumedAfterItsJobEnded_data() {
        QTest::addColumn<bool>("byScancel");
        QTest::newRow("scancel of the job") << true;
        QTest::newRow("kill -9 of the worker") << false;
    }
    void batchSessionResumedAfterItsJobEnded() {
        QFETCH(bool, byScancel);
        const QString shared = work_.filePath("shared-sessions-btres");
        const CliResult add = runCli({"device", "add", "btres", "--slurm", "--agent", tailpruneCli(), "--partition", "test",
                                      "--env", "SLURM_CONF=" + slurm_.conf(), "--time", "10", "--sessions-dir", shared,
                                      "--replace"});
        QVERIFY2(add.exitCode == 0, qPrintable(describe(add)));
        if (longSweepTokens_.isEmpty()) {  // the direct run: which counts the profile must have
            const QString direct = work_.filePath("long-direct.json");
            const CliResult d = runCli(kLongSweep + QStringList{"-o", direct}, 120000);
            QVERIFY2(d.exitCode == 0, qPrintable(describe(d)));
            longSweepTokens_ = profileTokens(direct);
        }
        QCOMPARE(longSweepTokens_.size(), 17);

        const CliResult submit = runCli(kLongSweep + QStringList{"-o", work_.filePath("unused.json"), "--on", "btres", "--sbatch"}, 120000);
        QVERIFY2(submit.exitCode == 0, qPrintable(describe(submit)));
        const QString id = submit.out.trimmed().section(' ', 0, 0), firstJob = submit.out.trimmed().section(' ', 1, 1);
        const QString dir = shared + "/" + id;

        // Stop it once a few points are journaled, well before the end.
        QElapsedTimer t;
        t.start();
        while (journaledPoints(dir).size() < 4 && t.elapsed() < 120000) QThread::msleep(50);
        QVERIFY2(journaledPoints(dir).size() >= 4, qPrintable(TestSlurm::jobs().join("; ") + slurm_.log()));
        if (byScancel) {
            int code = -1;
            TestSlurm::run("scancel", {firstJob}, &code);
            QCOMPARE(code, 0);
        } else {
            const long long pid = readJsonFile(dir + "/state.json").value("pid").toVariant().toLongLong();
            QVERIFY(pid > 0);
            QCOMPARE(::kill(static_cast<pid_t>(pid), SIGKILL), 0);
        }
        QVERIFY2(waitUntilNoJobs("tailprune-btres-", 60000), qPrintable(TestSlurm::jobs().join("; ")));
        const int kept = journaledPoints(dir).size();
        QVERIFY2(kept >= 4 && kept < 17, qPrintable(QString::number(kept)));  // stopped mid-sweep
        const QJsonObject died = listedSession("btres", id);
        QCOMPARE(died.value("status").toString(), QString("died"));
        if (byScancel)  // the worker saw SIGTERM and said so; no final record was written
            QVERIFY2(died.value("message").toString().contains("stopped by a signal"), qPrintable(QJsonDocument(died).toJson()));

        const CliResult resumed = runCli({"session", "resume", id, "--on", "btres"}, 120000);
        QVERIFY2(resumed.exitCode == 0, qPrintable(describe(resumed)));
        const QRegularExpressionMatch m =
            QRegularExpression("submitted again as Slurm job (\\d+) \\((\\d+) points kept\\)").match(resumed.out);
        QVERIFY2(m.hasMatch(), qPrintable(resumed.out));
        QVERIFY(m.captured(1) != firstJob);
        QCOMPARE(m.captured(2).toInt(), kept);

        const QString out = work_.filePath(QString("resumed-%1.json").arg(byScancel ? "scancel" : "kill"));
        const CliResult attach = runCli({"session", "attach", id, "--on", "btres", "-o", out, "-q"}, 180000);
        QVERIFY2(attach.exitCode == 0, qPrintable(describe(attach) + slurm_.log()));
        QCOMPARE(profileTokens(out), longSweepTokens_);  // every count, each once
        QVERIFY(!readJsonFile(out).value("partial").toBool());
        const QMap<int, int> journaled = journaledPoints(dir);
        QCOMPARE(journaled.size(), 17);
        for (auto it = journaled.begin(); it != journaled.end(); ++it)
            QVERIFY2(it.value() == 1, qPrintable(QString("%1 tokens measured %2 times").arg(it.key()).arg(it.value())));
        const QJsonObject state = readJsonFile(dir + "/state.json");
        QCOMPARE(state.value("status").toString(), QString("finished"));
        QCOMPARE(state.value("slurm_job").toString(), m.captured(1));  // the new job's worker finished it
        QVERIFY(QFile::exists(dir + "/slurm-" + m.captured(1) + ".out"));
        QVERIFY2(waitUntilNoJobs("tailprune-btres-", 15000), qPrintable(TestSlurm::jobs().join("; ")));
    }

    // evaluate --sbatch: without a schedule the weights are described by the login side's agent
    // (no allocation); queued behind a job holding the node, it is listed with Slurm's reason; the
    // result attached later equals the same evaluation run here.
    void evaluateAsABatchJob() {
        const QString shared = work_.filePath("shared-sessions-bte");
        const CliResult add = runCli({"device", "add", "bte", "--slurm", "--agent", tailpruneCli(), "--partition", "test",
                                      "--env", "SLURM_CONF=" + slurm_.conf(), "--sessions-dir", shared, "--replace"});
        QVERIFY2(add.exitCode == 0, qPrintable(describe(add)));
        const QStringList eval = {"evaluate", "--weights", kWeights, "--split", "holdout", "--limit", "300", "--seed", "7",
                                  "--quiet"};
        const CliResult here = runCli(eval + QStringList{"--json"}, 120000);
        QVERIFY2(here.exitCode == 0, qPrintable(describe(here)));

        // A job holding the node: the evaluation is queued, and listed so with Slurm's reason.
        int code = -1;
        TestSlurm::run("sbatch", {"--exclusive", "--job-name=tp-blocker", "--output=/dev/null", "--wrap=sleep 300"}, &code);
        QCOMPARE(code, 0);
        QElapsedTimer t;
        t.start();
        while (jobsNamed("tp-blocker").filter("|RUNNING|").isEmpty() && t.elapsed() < 30000) QThread::msleep(200);
        t.restart();
        const CliResult submit = runCli(eval + QStringList{"--on", "bte", "--sbatch"}, 120000);
        const qint64 submitMs = t.elapsed();
        const QStringList queuedJobs = jobsNamed("tailprune-bte-");
        const QJsonObject listed = listedSession("bte", submit.out.trimmed().section(' ', 0, 0));
        TestSlurm::run("scancel", {"--name=tp-blocker"});
        QVERIFY2(submit.exitCode == 0, qPrintable(describe(submit)));
        const QStringList printed = submit.out.trimmed().split(' ');
        QCOMPARE(printed.size(), 2);
        const QString id = printed[0], jobId = printed[1];
        QVERIFY2(submit.err.contains("as Slurm job " + jobId), qPrintable(submit.err));
        // Only the batch job was queued: the weights were not described through an allocation.
        QCOMPARE(queuedJobs.size(), 1);
        QCOMPARE(queuedJobs.first().section('|', 0, 0), jobId);
        QCOMPARE(listed.value("cmd").toString(), QString("evaluate"));
        QCOMPARE(listed.value("status").toString(), QString("queued"));
        QCOMPARE(listed.value("slurm").toObject().value("state").toString(), QString("PENDING"));
        QCOMPARE(listed.value("slurm").toObject().value("reason").toString(), QString("Resources"));

        const QString result = work_.filePath("bte-evaluate.json");
        t.restart();
        const CliResult attach = runCli({"session", "attach", id, "--on", "bte", "-o", result, "-q"}, 180000);
        QVERIFY2(attach.exitCode == 0, qPrintable(describe(attach) + slurm_.log()));
        qInfo("evaluate --sbatch returned in %lld ms; attach to the end %lld ms", submitMs, t.elapsed());
        const QJsonObject there = readJsonFile(result), local = jsonOf(here.out);
        QCOMPARE(there.value("images").toInt(), 300);
        QCOMPARE(there.value("top1").toDouble(), local.value("top1").toDouble());
        QCOMPARE(there.value("top5").toDouble(), local.value("top5").toDouble());
        QCOMPARE(there.value("method").toString(), local.value("method").toString());
        const QJsonObject state = readJsonFile(shared + "/" + id + "/state.json");
        QCOMPARE(state.value("status").toString(), QString("finished"));
        QCOMPARE(state.value("slurm_job").toString(), jobId);
        QCOMPARE(listedSession("bte", id).value("status").toString(), QString("finished"));
        QVERIFY2(waitUntilNoJobs("tailprune-bte-", 15000), qPrintable(TestSlurm::jobs().join("; ")));
        QVERIFY2(waitUntilNoJobs("tp-blocker", 15000), qPrintable(TestSlurm::jobs().join("; ")));
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
