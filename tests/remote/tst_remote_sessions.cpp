// Detached sessions (issue 21) against real faults: a real sshd on 127.0.0.1 (started here), the
// system OpenSSH client, the real `tailprune` on both ends, and a userspace TCP relay between them
// that freezes, cuts or resets the link. Every case checks the one figure that matters: across the
// fault, no point is lost and none is measured twice (the worker's journal has each token count
// once, and the profile the client writes has every one). Nothing but 127.0.0.1 is used.
#include <QDirIterator>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

#include <pwd.h>
#include <signal.h>
#include <unistd.h>

#include "core/agent/session_journal.h"
#include "core/remote/askpass.h"
#include "tcp_relay.h"
#include "test_sshd.h"
#include "tests/remote/remote_test_util.h"

namespace {

const QString kWeights = QString(TAILPRUNE_SOURCE_DIR) + "/resources/models/fmnist_vit8/fmnist_vit8.safetensors";
constexpr int kFirst = 2, kLast = 50;  // the sweep: every token count 2..50, one round each
constexpr int kPoints = kLast - kFirst + 1;


QString readText(const QString& path) {
    QFile f(path);
    f.open(QIODevice::ReadOnly);
    return QString::fromUtf8(f.readAll());
}

// The sweep: ~0.3 s per point, ~15-25 s in all, so faults land in the middle of it.
QStringList sweepArgs(const QString& device, const QString& out) {
    return {"profile", "--weights", kWeights, "--scope", "model", "--tokens", QString("%1..%2").arg(kFirst).arg(kLast),
            "--rounds", "1", "--warmup", "1", "--min-samples", "3", "--min-time", "0.3", "--noise", "0.5", "--timeout",
            "2", "-q", "--on", device, "-o", out};
}

// Token counts of the model curve's points in a profile file.
QList<int> profileTokens(const QString& path) {
    QList<int> tokens;
    for (const QJsonValue& c : readJsonFile(path).value("curves").toArray())
        if (c.toObject().value("name").toString() == "model")
            for (const QJsonValue& p : c.toObject().value("points").toArray()) tokens.append(p.toObject().value("tokens").toInt());
    return tokens;
}

}  // namespace

class RemoteSessions : public QObject {
    Q_OBJECT
private:
    TestSshd sshd_;
    QTemporaryDir work_{QDir::tempPath() + "/tp-sessions-XXXXXX"};
    QString skip_;
    int lost_ = 0, twice_ = 0;  // the figure reported at the end, over every fault case

    QString devices() const { return work_.filePath("devices.json"); }
    QString sessionsDir() const { return work_.filePath("sessions"); }

    CliResult addDevice(const QString& name, int port, const QString& agent = {}) {
        return runCli({"device", "add", name, "--ssh", userName() + "@127.0.0.1", "--port", QString::number(port), "--identity",
                       sshd_.clientKey(), "--agent", agent.isEmpty() ? tailpruneCli() : agent, "--ssh-config",
                       sshd_.sshConfig(), "--known-hosts", work_.filePath("known_hosts"), "--env",
                       "TAILPRUNE_SESSIONS_DIR=" + sessionsDir(), "--replace"});
    }

    // The only session folder created since `before` (its id).
    QString newSession(const QStringList& before) const {
        for (int i = 0; i < 200; ++i) {
            const QStringList now = QDir(sessionsDir()).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
            for (const QString& id : now)
                if (!before.contains(id)) return id;
            QThread::msleep(50);
        }
        return {};
    }
    QStringList sessionIds() const { return QDir(sessionsDir()).entryList(QDir::Dirs | QDir::NoDotAndDotDot); }
    QString journal(const QString& id) const { return sessionsDir() + "/" + id + "/journal.jsonl"; }

    // Point records per token count in a session's journal.
    QMap<int, int> journaledPoints(const QString& id) const {
        QMap<int, int> count;
        for (const auto& r : tp::agent::read_journal(journal(id).toStdString()))
            if (r.value("event", std::string()) == "point") count[r["point"].value("tokens", -1)]++;
        return count;
    }
    bool waitForPoints(const QString& id, int n, int timeoutMs = 60000) const {
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < timeoutMs) {
            if (journaledPoints(id).size() >= n) return true;
            QThread::msleep(100);
        }
        return false;
    }
    long long workerPid(const QString& id) const {
        return readJsonFile(sessionsDir() + "/" + id + "/state.json").value("pid").toVariant().toLongLong();
    }

    // The figure: every count 2..50 once in the journal and in the profile written here.
    void checkExactlyOnce(const QString& id, const QString& profile, const char* fault) {
        const QMap<int, int> journaled = journaledPoints(id);
        const QList<int> written = profileTokens(profile);
        int lost = 0, twice = 0;
        for (int n = kFirst; n <= kLast; ++n) {
            if (!written.contains(n) || !journaled.contains(n)) ++lost;
            if (journaled.value(n) > 1) twice += journaled.value(n) - 1;
        }
        lost_ += lost;
        twice_ += twice;
        qInfo("%s: %d points, %d lost, %d measured twice", fault, static_cast<int>(written.size()), lost, twice);
        QCOMPARE(lost, 0);
        QCOMPARE(twice, 0);
        QCOMPARE(written.size(), kPoints);
    }

    // Starts `args` without waiting; stderr goes to a file (a full pipe would stall it).
    void startCli(QProcess& p, const QStringList& args, const QString& errFile) {
        p.setStandardErrorFile(errFile);
        p.setStandardOutputFile(errFile + ".out");
        p.start(tailpruneCli(), args);
        QVERIFY(p.waitForStarted(10000));
        p.closeWriteChannel();
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(work_.isValid());
        QDir().mkpath(sessionsDir());
        skip_ = sshd_.start();
        qputenv("TAILPRUNE_DEVICES", devices().toUtf8());
        qputenv("TAILPRUNE_SSH_PERSIST", "0");
        qputenv("TAILPRUNE_SESSIONS_DIR", sessionsDir().toUtf8());  // the local device's agent
        qunsetenv(tp::remote::kAskpassSocketEnv);
        QVERIFY2(!tailpruneCli().isEmpty(), "ctest sets TAILPRUNE_CLI");
    }
    void cleanupTestCase() {
        // No worker outlives the test.
        for (const QString& id : sessionIds()) {
            const long long pid = workerPid(id);
            const QString state = readJsonFile(sessionsDir() + "/" + id + "/state.json").value("status").toString();
            if (pid > 0 && (state == "running" || state == "starting")) ::kill(static_cast<pid_t>(pid), SIGTERM);
        }
        qInfo("all fault cases: %d points lost, %d measured twice", lost_, twice_);
    }

    // Without sshd: the local device runs sessions the same way (list, fetch, attach, clean).
    void localSessionListFetchAttachClean() {
        const QStringList before = sessionIds();
        const QString out = work_.filePath("local.json");
        const CliResult r = runCli(sweepArgs("local", out), 120000);
        QVERIFY2(r.exitCode == 0, qPrintable(describe(r)));
        const QString id = newSession(before);  // profile --on ran as a session by default
        QVERIFY(!id.isEmpty());
        checkExactlyOnce(id, out, "local, no fault");

        const CliResult list = runCli({"session", "list", "--on", "local", "--json"});
        QVERIFY2(list.exitCode == 0, qPrintable(describe(list)));
        bool seen = false;
        for (const QJsonValue& s : jsonOf(list.out).value("sessions").toArray())
            if (s.toObject().value("id").toString() == id) {
                seen = true;
                QCOMPARE(s.toObject().value("status").toString(), QString("finished"));
                QCOMPARE(s.toObject().value("cmd").toString(), QString("profile"));
            }
        QVERIFY(seen);
        const QString fetched = work_.filePath("fetched.json"), attached = work_.filePath("attached.json");
        QVERIFY(runCli({"session", "fetch", id, "--on", "local", "-o", fetched}).exitCode == 0);
        QVERIFY(runCli({"session", "attach", id, "--on", "local", "-o", attached}).exitCode == 0);
        QCOMPARE(readJsonFile(fetched).value("curves"), readJsonFile(out).value("curves"));
        QCOMPARE(readJsonFile(attached).value("curves"), readJsonFile(out).value("curves"));

        const CliResult resume = runCli({"session", "resume", id, "--on", "local"});
        QCOMPARE(resume.exitCode, 2);
        QVERIFY2(resume.err.contains("nothing to resume"), qPrintable(resume.err));
        const CliResult bad = runCli({"session", "attach", "../../etc", "--on", "local"});
        QCOMPARE(bad.exitCode, 2);
        QVERIFY2(bad.err.contains("session id"), qPrintable(bad.err));

        const CliResult keep = runCli({"session", "clean", "--on", "local", "--older-than", "1", "--json"});
        QVERIFY2(keep.exitCode == 0, qPrintable(describe(keep)));
        QVERIFY(jsonOf(keep.out).value("kept").toArray().contains(QJsonValue(id)));
        const CliResult clean = runCli({"session", "clean", "--on", "local", "--older-than", "0", "--json"});
        QVERIFY(jsonOf(clean.out).value("removed").toArray().contains(QJsonValue(id)));
        QVERIFY(!QDir(sessionsDir() + "/" + id).exists());
    }

    // A torn last line (power loss in the middle of a write) is cut back to the last whole record.
    void tornJournalIsRecovered() {
        const QString path = work_.filePath("torn.jsonl");
        {
            tp::agent::JournalWriter j(path.toStdString());
            for (int i = 0; i < 3; ++i) QCOMPARE(j.append({{"event", "point"}, {"i", i}}), static_cast<long long>(i + 1));
        }
        QFile f(path);
        QVERIFY(f.open(QIODevice::Append));
        f.write("{\"event\":\"point\",\"i\":3,\"se");
        f.close();
        QCOMPARE(tp::agent::read_journal(path.toStdString()).size(), std::size_t(3));  // readers skip it too
        tp::agent::JournalWriter again(path.toStdString());
        QVERIFY(again.torn_bytes_dropped() > 0);
        QCOMPARE(again.last_seq(), 3LL);
        QCOMPARE(again.append({{"event", "done"}}), 4LL);
        const auto records = tp::agent::read_journal(path.toStdString());
        QCOMPARE(records.size(), std::size_t(4));
        QCOMPARE(tp::agent::record_seq(records.back()), 4LL);
        QVERIFY(!readText(path).contains("\"se{"));
    }

    void init() {
        const QString name = QTest::currentTestFunction();
        if (name == "localSessionListFetchAttachClean" || name == "tornJournalIsRecovered") return;
        if (!skip_.isEmpty()) QSKIP(qPrintable("sshd cannot start here, so the SSH fault tests cannot run: " + skip_));
    }

    // The link hangs silently (no FIN, no RST) for 30 s in the middle of the sweep.
    void frozenLinkForThirtySeconds() {
        TcpRelay relay(sshd_.port());
        QVERIFY(addDevice("edge", relay.port()).exitCode == 0);
        const QStringList before = sessionIds();
        const QString out = work_.filePath("frozen.json"), err = work_.filePath("frozen.err");
        QProcess cli;
        startCli(cli, sweepArgs("edge", out), err);
        const QString id = newSession(before);
        QVERIFY(!id.isEmpty());
        QVERIFY2(waitForPoints(id, 5), qPrintable(readText(err)));
        relay.freeze(true);
        const int atFreeze = journaledPoints(id).size();
        QTest::qWait(30000);
        QVERIFY2(journaledPoints(id).size() > atFreeze, "the session went on while the link was frozen");
        relay.freeze(false);
        QVERIFY2(cli.waitForFinished(180000), qPrintable(readText(err)));
        QVERIFY2(cli.exitCode() == 0, qPrintable(readText(err)));
        QVERIFY2(readText(err).contains("session still running"), qPrintable(readText(err)));
        checkExactlyOnce(id, out, "link frozen 30 s");
    }

    // The client dies (kill -9) mid-sweep; a new one attaches and gets everything.
    void clientKilledThenAttached() {
        QVERIFY(addDevice("edge", sshd_.port()).exitCode == 0);
        const QStringList before = sessionIds();
        const QString out = work_.filePath("killed.json");
        QProcess cli;
        startCli(cli, sweepArgs("edge", work_.filePath("never.json")), work_.filePath("killed.err"));
        const QString id = newSession(before);
        QVERIFY(!id.isEmpty());
        QVERIFY(waitForPoints(id, 5));
        cli.kill();
        cli.waitForFinished(5000);
        const CliResult list = runCli({"session", "list", "--on", "edge", "--json"});
        QVERIFY2(list.exitCode == 0, qPrintable(describe(list)));
        QString status;
        for (const QJsonValue& s : jsonOf(list.out).value("sessions").toArray())
            if (s.toObject().value("id").toString() == id) status = s.toObject().value("status").toString();
        QVERIFY2(status == "running" || status == "finished", qPrintable(status));
        const CliResult attach = runCli({"session", "attach", id, "--on", "edge", "-o", out, "-q"}, 180000);
        QVERIFY2(attach.exitCode == 0, qPrintable(describe(attach)));
        checkExactlyOnce(id, out, "client killed, then attached");
    }

    // The worker dies (kill -9, as in a reboot) and its journal's last line is torn; resume
    // measures only the missing points.
    void workerKilledThenResumed() {
        QVERIFY(addDevice("edge", sshd_.port()).exitCode == 0);
        const QStringList before = sessionIds();
        QStringList args = sweepArgs("edge", work_.filePath("unused.json"));
        args << "--detach";
        const CliResult started = runCli(args);
        QVERIFY2(started.exitCode == 0, qPrintable(describe(started)));
        const QString id = started.out.trimmed();
        QCOMPARE(id, newSession(before));
        QVERIFY(waitForPoints(id, 8));
        const long long pid = workerPid(id);
        QVERIFY(pid > 0);
        QCOMPARE(::kill(static_cast<pid_t>(pid), SIGKILL), 0);
        for (int i = 0; i < 100 && ::kill(static_cast<pid_t>(pid), 0) == 0; ++i) QThread::msleep(50);
        const int kept = journaledPoints(id).size();
        {
            QFile f(journal(id));
            QVERIFY(f.open(QIODevice::Append));
            f.write("{\"curve\":\"model\",\"event\":\"point\",\"point\":{\"tok");  // torn by the power loss
        }
        const CliResult dead = runCli({"session", "attach", id, "--on", "edge", "-o", work_.filePath("dead.json"), "-q"}, 60000);
        QCOMPARE(dead.exitCode, 1);
        QVERIFY2(dead.err.contains("session_died") && dead.err.contains("session resume"), qPrintable(dead.err));
        const CliResult list = runCli({"session", "list", "--on", "edge"});
        QVERIFY2(list.out.contains("died"), qPrintable(list.out));

        const CliResult resumed = runCli({"session", "resume", id, "--on", "edge"});
        QVERIFY2(resumed.exitCode == 0, qPrintable(describe(resumed)));
        QVERIFY2(resumed.out.contains(QString::number(kept) + " points kept"), qPrintable(resumed.out));
        const QString out = work_.filePath("resumed.json");
        const CliResult attach = runCli({"session", "attach", id, "--on", "edge", "-o", out, "-q"}, 180000);
        QVERIFY2(attach.exitCode == 0, qPrintable(describe(attach)));
        QVERIFY2(readText(sessionsDir() + "/" + id + "/state.json").contains("torn"), "the recovery is recorded");
        checkExactlyOnce(id, out, "worker killed, journal torn, resumed");
    }

    // The shared ControlMaster connection is killed mid-sweep; the client reconnects through a new one.
    void controlMasterKilled() {
        // This case's own control folder, so that only its master is killed (other suites may
        // have masters of their own running at the same time).
        const QString xdg = work_.filePath("xdg");
        QDir().mkpath(xdg);
        const QByteArray xdgBefore = qgetenv("XDG_RUNTIME_DIR");
        qputenv("XDG_RUNTIME_DIR", xdg.toUtf8());
        qputenv("TAILPRUNE_SSH_PERSIST", "60");
        QVERIFY(addDevice("edge", sshd_.port()).exitCode == 0);
        const QStringList before = sessionIds();
        const QString out = work_.filePath("master.json"), err = work_.filePath("master.err");
        QProcess cli;
        startCli(cli, sweepArgs("edge", out), err);
        qputenv("TAILPRUNE_SSH_PERSIST", "0");
        if (xdgBefore.isEmpty()) qunsetenv("XDG_RUNTIME_DIR");
        else qputenv("XDG_RUNTIME_DIR", xdgBefore);
        const QString id = newSession(before);
        QVERIFY(!id.isEmpty());
        QVERIFY(waitForPoints(id, 5));
        const QString master = "^ssh: " + xdg + "/tailprune-ssh/.*\\[mux\\]";
        QProcess pkill;
        pkill.start("pkill", {"-KILL", "-f", master});
        pkill.waitForFinished(5000);
        QVERIFY2(pkill.exitCode() == 0, "no ControlMaster process was found to kill");
        QVERIFY2(cli.waitForFinished(180000), qPrintable(readText(err)));
        QVERIFY2(cli.exitCode() == 0, qPrintable(readText(err)));
        QProcess::execute("pkill", {"-TERM", "-f", master});  // the new master, persisting
        checkExactlyOnce(id, out, "ControlMaster killed");
    }

    // Two clients attached to one session both get all of it.
    void twoClientsAttached() {
        QVERIFY(addDevice("edge", sshd_.port()).exitCode == 0);
        QStringList args = sweepArgs("edge", work_.filePath("unused2.json"));
        args << "--detach";
        const CliResult started = runCli(args);
        QVERIFY2(started.exitCode == 0, qPrintable(describe(started)));
        const QString id = started.out.trimmed();
        const QString a = work_.filePath("a.json"), b = work_.filePath("b.json");
        QProcess one, two;
        startCli(one, {"session", "attach", id, "--on", "edge", "-o", a, "-q"}, work_.filePath("a.err"));
        startCli(two, {"session", "attach", id, "--on", "edge", "-o", b, "-q"}, work_.filePath("b.err"));
        QVERIFY(one.waitForFinished(180000) && two.waitForFinished(180000));
        QVERIFY2(one.exitCode() == 0, qPrintable(readText(work_.filePath("a.err"))));
        QVERIFY2(two.exitCode() == 0, qPrintable(readText(work_.filePath("b.err"))));
        QCOMPARE(readJsonFile(a).value("curves"), readJsonFile(b).value("curves"));
        checkExactlyOnce(id, a, "two clients");
    }

    // The link is reset (RST) twice mid-sweep, and slow (delayed and throttled) in between.
    void resetAndSlowLink() {
        TcpRelay relay(sshd_.port());
        QVERIFY(addDevice("edge", relay.port()).exitCode == 0);
        const QStringList before = sessionIds();
        const QString out = work_.filePath("reset.json"), err = work_.filePath("reset.err");
        QProcess cli;
        startCli(cli, sweepArgs("edge", out), err);
        const QString id = newSession(before);
        QVERIFY(!id.isEmpty());
        QVERIFY(waitForPoints(id, 4));
        relay.reset();
        relay.setDelayMs(30);
        relay.setThrottle(64 * 1024);
        QVERIFY(waitForPoints(id, 20));
        relay.reset();
        relay.setDelayMs(0);
        relay.setThrottle(0);
        QVERIFY2(cli.waitForFinished(180000), qPrintable(readText(err)));
        QVERIFY2(cli.exitCode() == 0, qPrintable(readText(err)));
        checkExactlyOnce(id, out, "link reset twice, slow in between");
    }

    // An agent from before sessions (protocol 3): a clear error for session commands, and a job
    // still runs on the connection with a note saying why it is not detached.
    void olderAgentSaysUpgrade() {
        QVERIFY(addDevice("old", sshd_.port(), QString(TAILPRUNE_SOURCE_DIR) + "/tests/remote/v3_agent.py").exitCode == 0);
        const CliResult list = runCli({"session", "list", "--on", "old"});
        QCOMPARE(list.exitCode, 3);
        QVERIFY2(list.err.contains("protocol 3") && list.err.contains("need protocol 4") && list.err.contains("--no-detach"),
                 qPrintable(list.err));
        const CliResult profile = runCli(sweepArgs("old", work_.filePath("old.json")));
        QVERIFY2(profile.err.contains("without detached sessions"), qPrintable(describe(profile)));
    }
};

QTEST_GUILESS_MAIN(RemoteSessions)
#include "tst_remote_sessions.moc"
