// The SSH transport end to end: a real sshd on 127.0.0.1 (started here), the system OpenSSH client,
// and the real `tailprune` on both ends (the device is this machine, reached over ssh). Each case
// uses its own devices.json and known_hosts; no address other than 127.0.0.1 is ever used.
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

#include <pwd.h>
#include <unistd.h>

#include "tests/remote/remote_test_util.h"
#include "core/remote/askpass.h"
#include "tcp_relay.h"
#include "test_sshd.h"

namespace {

const QString kWeights = QString(TAILPRUNE_SOURCE_DIR) + "/resources/models/fmnist_vit8/fmnist_vit8.safetensors";
const QString kSchedule = QString(TAILPRUNE_TESTDATA_DIR) + "/schedules/deit_tiny_fp16_cut.schedule.json";


}  // namespace

class RemoteSsh : public QObject {
    Q_OBJECT
private:
    TestSshd sshd_;
    QTemporaryDir work_{QDir::tempPath() + "/tp-remote-XXXXXX"};
    QString skip_;
    int logins_ = 0;  // ssh logins the server has seen up to the end of the last case

    QString devices() const { return work_.filePath("devices.json"); }

    // Adds a device over the test sshd with `agent` and its own known_hosts file.
    CliResult addDevice(const QString& name, const QString& agent, const QString& key = {}, const QString& knownHosts = {},
                        int port = 0) {
        return runCli({"device", "add", name, "--ssh", userName() + "@127.0.0.1", "--port",
                       QString::number(port ? port : sshd_.port()), "--identity", key.isEmpty() ? sshd_.clientKey() : key,
                       "--agent", agent, "--ssh-config", sshd_.sshConfig(), "--known-hosts",
                       knownHosts.isEmpty() ? work_.filePath("known_hosts_" + name) : knownHosts, "--env",
                       "TAILPRUNE_SESSIONS_DIR=" + work_.filePath("sessions"), "--replace"});
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(work_.isValid());
        skip_ = sshd_.start();
        qputenv("TAILPRUNE_DEVICES", devices().toUtf8());
        qputenv("TAILPRUNE_SSH_PERSIST", "0");  // no master unless a case asks for one
        qunsetenv(tp::remote::kAskpassSocketEnv);
        QVERIFY2(!tailpruneCli().isEmpty(), "ctest sets TAILPRUNE_CLI");
    }
    void init() {
        if (!skip_.isEmpty()) QSKIP(qPrintable("sshd cannot start here, so the SSH tests cannot run: " + skip_));
    }

    void checkSaysHelloAndRecordsTheHostKey() {
        QVERIFY2(addDevice("box", tailpruneCli()).exitCode == 0, "device add failed");
        const CliResult list = runCli({"device", "list", "--json"});
        QCOMPARE(list.exitCode, 0);
        const QJsonArray entries = jsonOf(list.out).value("devices").toArray();
        QCOMPARE(entries.size(), 2);  // local, box
        QCOMPARE(entries.at(0).toObject().value("name").toString(), QString("local"));

        const CliResult first = runCli({"device", "check", "box", "--json"});
        QVERIFY2(first.exitCode == 0, qPrintable(describe(first) + sshd_.log().right(800)));
        const QJsonObject r = jsonOf(first.out);
        QCOMPARE(r.value("status").toString(), QString("ready"));
        QCOMPARE(r.value("protocol").toInt(), 5);
        QVERIFY(r.value("agent").toString().startsWith("tailprune "));
        QVERIFY(r.value("first_contact").toBool());
        QVERIFY(r.value("host_key").toString().startsWith("SHA256:"));
        QVERIFY(r.value("round_trip_ms").toDouble() > 0);
        QVERIFY(r.value("missing").toArray().contains(QJsonValue("no CUDA: this agent measures on the CPU only")));
        const CliResult second = runCli({"device", "check", "box", "--json"});
        QCOMPARE(second.exitCode, 0);
        QVERIFY(!jsonOf(second.out).value("first_contact").toBool());
        const CliResult human = runCli({"device", "check", "box"});
        QVERIFY2(human.out.contains("box: ready"), qPrintable(describe(human)));
    }

    void sweepOverSshMatchesTheLocalSweep() {
        QVERIFY(addDevice("box", tailpruneCli()).exitCode == 0);
        const QStringList spec = {"profile", "--weights", kWeights, "--scope", "model", "--scope", "block:2", "--tokens",
                                  "2..50:12", "--rounds", "1", "--warmup", "1", "--min-samples", "3", "--min-time", "0",
                                  "--noise", "0.5", "-q"};
        const QString local = work_.filePath("local.json"), remote = work_.filePath("remote.json");
        const CliResult a = runCli(spec + QStringList{"-o", local}, 120000);
        QVERIFY2(a.exitCode == 0, qPrintable(describe(a)));
        const CliResult b = runCli(spec + QStringList{"-o", remote, "--on", "box"}, 120000);
        QVERIFY2(b.exitCode == 0, qPrintable(describe(b)));
        const QJsonObject pl = readJsonFile(local), pr = readJsonFile(remote);
        QCOMPARE(pr.value("model"), pl.value("model"));
        // The same settings, except when it ran and what the device's environment was (an ssh login
        // has its own: OPENBLAS_CORETYPE set in this shell does not travel, and the profile says so).
        QJsonObject sl = pl.value("settings").toObject(), sr = pr.value("settings").toObject();
        QCOMPARE(sr.value("environment").toObject().keys(), sl.value("environment").toObject().keys());
        for (const char* key : {"date", "environment"}) {
            sl.remove(key);
            sr.remove(key);
        }
        QCOMPARE(sr, sl);
        QCOMPARE(pr.value("device").toObject().value("name"), pl.value("device").toObject().value("name"));
        const QJsonArray cl = pl.value("curves").toArray(), cr = pr.value("curves").toArray();
        QCOMPARE(cr.size(), cl.size());
        for (int i = 0; i < cl.size(); ++i) {
            const QJsonObject x = cl.at(i).toObject(), y = cr.at(i).toObject();
            QCOMPARE(y.value("name"), x.value("name"));
            QCOMPARE(y.value("scope"), x.value("scope"));
            const QJsonArray px = x.value("points").toArray(), py = y.value("points").toArray();
            QCOMPARE(py.size(), px.size());
            for (int j = 0; j < px.size(); ++j)
                QCOMPARE(py.at(j).toObject().value("tokens"), px.at(j).toObject().value("tokens"));
        }
    }

    // Re-levelling for a device (issue 27): measured there through its agent, the record filed
    // under the identity the agent reports, and `predict --on` asks the agent who it is and picks it.
    void relevelOverSsh() {
        const QString profile = work_.filePath("local.json");  // the sweep of the case above
        QVERIFY(QFile::exists(profile));
        const CliResult r = runCli({"calibrate-latency", "--profile", profile, "--weights", kWeights, "--on", "box", "-q"}, 120000);
        QVERIFY2(r.exitCode == 0, qPrintable(describe(r)));
        const QStringList records = QDir(work_.path()).entryList({"local.calibration.cpu-*.json"}, QDir::Files);
        QCOMPARE(records.size(), 1);
        const QJsonObject record = readJsonFile(work_.filePath(records[0]));
        QVERIFY(record.value("relevel").toObject().value("scale").toDouble() > 0);
        QVERIFY(!record.value("machine").toObject().value("hostname").toString().isEmpty());
        const QString schedule = work_.filePath("fmnist.schedule.json");
        QFile f(schedule);
        QVERIFY(f.open(QIODevice::WriteOnly));
        QJsonObject model = readJsonFile(profile).value("model").toObject();
        f.write(QJsonDocument(QJsonObject{{"format", "tailprune-schedule"}, {"format_version", 1}, {"name", "cut"},
                                          {"method", "random"}, {"parameters", QJsonObject{}},
                                          {"tokens_after_block", QJsonArray{50, 50, 30, 30, 30, 30, 30, 30}}, {"model", model}})
                    .toJson());
        f.close();
        const CliResult p = runCli({"predict", "--profile", profile, "--schedule", schedule, "--on", "box", "--json"}, 60000);
        QVERIFY2(p.exitCode == 0, qPrintable(describe(p)));
        QVERIFY2(jsonOf(p.out).value("machine").toObject().value("relevelled").toBool(), qPrintable(p.out));
    }

    void measureEvaluateAndCalibrateOverSsh() {
        QVERIFY(addDevice("box", tailpruneCli()).exitCode == 0);
        const CliResult m = runCli({"measure", "--schedule", kSchedule, "--dtype", "fp32", "--rounds", "1", "--warmup", "1",
                                    "--min-samples", "3", "--min-time", "0", "--on", "box", "--json"},
                                   120000);
        QVERIFY2(m.exitCode == 0, qPrintable(describe(m)));
        const QJsonObject mr = jsonOf(m.out);
        QVERIFY(mr.value("schedule").toObject().value("median_ms").toDouble() > 0);
        QVERIFY(mr.value("speedup").toDouble() > 0);
        QCOMPARE(mr.value("on").toString(), QString("box"));

        // The same evaluation here and over ssh: the same images, the same answer.
        const QStringList eval = {"evaluate", "--weights", kWeights, "--limit", "300", "--seed", "4", "--split", "holdout", "--json", "--quiet"};
        const CliResult here = runCli(eval, 120000);
        const CliResult there = runCli(eval + QStringList{"--on", "box"}, 120000);
        QVERIFY2(here.exitCode == 0, qPrintable(describe(here)));
        QVERIFY2(there.exitCode == 0, qPrintable(describe(there)));
        QCOMPARE(jsonOf(there.out).value("top1"), jsonOf(here.out).value("top1"));
        QCOMPARE(jsonOf(there.out).value("images").toInt(), 300);
        QCOMPARE(jsonOf(there.out).value("dataset"), jsonOf(here.out).value("dataset"));

        const QString cal = work_.filePath("cal.json");
        const CliResult c = runCli({"calibrate", "--weights", kWeights, "--method", "topk", "--subset", "100", "--levels", "0.5",
                                    "--multi", "0", "--calibration", cal, "--on", "box"},
                                   180000);
        QVERIFY2(c.exitCode == 0, qPrintable(describe(c)));
        const QJsonArray evaluations = readJsonFile(cal).value("evaluations").toArray();
        QVERIFY2(evaluations.size() >= 2, qPrintable(describe(c)));  // the baseline and one level
    }

    void quotingRunsNothingThatShouldNotRun() {
        // An agent path and a dataset path full of shell syntax: both must arrive as one word.
        const QString nasty = "we ird 'q' \"dq\" $(touch PWNED1); touch PWNED2 `touch PWNED3`\nnewline";
        const QString base = work_.filePath("quoting");
        QVERIFY(QDir().mkpath(base + "/" + nasty));
        const QString agent = base + "/" + nasty + "/tailprune";
        QVERIFY(QFile::link(tailpruneCli(), agent));
        const QString data = base + "/" + nasty + "/data";
        QVERIFY(QDir().mkpath(data));
        for (const QString& f : {"t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"})
            QVERIFY(QFile::link("/usr/share/datasets/fashion-mnist/" + f, data + "/" + f));
        QVERIFY(addDevice("quote", agent).exitCode == 0);
        const CliResult check = runCli({"device", "check", "quote", "--json"});
        QVERIFY2(check.exitCode == 0, qPrintable(describe(check)));
        const CliResult e = runCli({"evaluate", "--weights", kWeights, "--limit", "50", "--seed", "1", "--data-dir", data,
                                    "--json", "--quiet", "--on", "quote"},
                                   120000);
        QVERIFY2(e.exitCode == 0, qPrintable(describe(e)));
        QCOMPARE(jsonOf(e.out).value("images").toInt(), 50);
        for (const QString& marker : {"PWNED1", "PWNED2", "PWNED3"}) {
            QVERIFY(!QFile::exists(QDir::home().filePath(marker)));
            QVERIFY(!QFile::exists(base + "/" + marker));
            QVERIFY(!QFile::exists(QDir::current().filePath(marker)));
        }
        // A destination that would be an ssh option is refused before anything starts.
        const CliResult dash = runCli({"device", "add", "evil", "--ssh", "-oProxyCommand=touch PWNED4", "--agent", agent});
        QVERIFY(dash.exitCode != 0);
        QVERIFY2(dash.err.contains("not a host name"), qPrintable(describe(dash)));
    }

    void hostKeyAcceptedThenAChangedKeyRefused() {
        const QString kh = work_.filePath("known_hosts_changing");
        QFile::remove(kh);
        QVERIFY(addDevice("rekeyed", tailpruneCli(), {}, kh).exitCode == 0);
        const CliResult first = runCli({"device", "check", "rekeyed", "--json"});
        QVERIFY2(first.exitCode == 0, qPrintable(describe(first)));
        QVERIFY(jsonOf(first.out).value("first_contact").toBool());
        // The device is "reinstalled": same address, new host key.
        const int port = sshd_.port();
        sshd_.stop();
        QVERIFY(sshd_.regenerateHostKey());
        QVERIFY(sshd_.start(port).isEmpty());
        const CliResult second = runCli({"device", "check", "rekeyed"});
        QCOMPARE(second.exitCode, 3);
        QVERIFY2(second.err.contains("CHANGED"), qPrintable(describe(second)));
        QVERIFY2(second.err.contains("known_hosts"), qPrintable(describe(second)));
        // Other devices pointing at their own known_hosts must learn the new key afresh.
        for (const QString& name : {"box", "quote", "pass", "noisy", "a", "b", "master"}) QFile::remove(work_.filePath("known_hosts_" + name));
    }

    void passphraseKeyThroughAskpass_data() {
        QTest::addColumn<QString>("given");
        QTest::addColumn<int>("exitCode");
        QTest::newRow("right passphrase") << "correct horse" << 0;
        QTest::newRow("wrong passphrase") << "battery staple" << 3;
    }
    void passphraseKeyThroughAskpass() {
        QFETCH(QString, given);
        QFETCH(int, exitCode);
        const QString key = sshd_.passphraseKey("correct horse");
        QVERIFY(addDevice("pass", tailpruneCli(), key).exitCode == 0);
        tp::remote::AskpassServer askpass([given](const std::string&) { return std::optional<std::string>(given.toStdString()); });
        qputenv(tp::remote::kAskpassSocketEnv, QByteArray::fromStdString(askpass.socket_path()));
        const CliResult r = runCli({"device", "check", "pass"}, 60000);
        qunsetenv(tp::remote::kAskpassSocketEnv);
        QVERIFY2(r.exitCode == exitCode, qPrintable(describe(r)));
        QVERIFY(askpass.questions() >= 1);  // asked through the socket, never through the environment
        if (exitCode) QVERIFY2(r.err.contains("authentication failed"), qPrintable(describe(r)));
    }

    void connectionFailuresAreNotAgentErrors() {
        // Nothing listens: one clear error, fast, no retry.
        QVERIFY(addDevice("down", tailpruneCli(), {}, {}, TestSshd::freePort()).exitCode == 0);
        QElapsedTimer t;
        t.start();
        const CliResult down = runCli({"measure", "--schedule", kSchedule, "--dtype", "fp32", "--on", "down"});
        QCOMPARE(down.exitCode, 3);
        QVERIFY2(t.elapsed() < 5000, qPrintable(QString::number(t.elapsed()) + " ms"));
        QVERIFY2(down.err.contains("connection refused"), qPrintable(describe(down)));
        QVERIFY(!down.err.contains("reconnecting"));
        QCOMPARE(down.err.count("error:"), 1);

        // No agent at that path: ssh worked, the agent did not (exit 127), said as such.
        QVERIFY(addDevice("noagent", "/nonexistent/bin/tailprune").exitCode == 0);
        const CliResult missing = runCli({"device", "check", "noagent"});
        QCOMPARE(missing.exitCode, 3);
        QVERIFY2(missing.err.contains("no agent at /nonexistent/bin/tailprune"), qPrintable(describe(missing)));

        // The agent answers with an error: not a connection failure.
        QVERIFY(addDevice("box", tailpruneCli()).exitCode == 0);
        const CliResult bad =
            runCli({"measure", "--schedule", kSchedule, "--dtype", "fp32", "--model", "no_such_model", "--on", "box"}, 60000);
        QVERIFY2(bad.exitCode != 0 && bad.exitCode != 3, qPrintable(describe(bad)));
        QVERIFY2(bad.err.contains("no_such_model"), qPrintable(describe(bad)));
    }

    void noiseBeforeHelloIsSkipped() {
        // What an rc file or a login banner prints before the agent starts.
        const QString wrapper = work_.filePath("noisy-agent.sh");
        QFile f(wrapper);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QString("#!/bin/sh\necho 'Welcome to Ubuntu 20.04.6 LTS (GNU/Linux 5.10.120-tegra aarch64)'\n"
                        "echo '{\"rc\":\"a JSON-looking line\"}'\necho\nexec '%1' \"$@\"\n")
                    .arg(tailpruneCli())
                    .toUtf8());
        f.close();
        f.setPermissions(f.permissions() | QFile::ExeOwner);
        QVERIFY(addDevice("noisy", wrapper).exitCode == 0);
        const CliResult r = runCli({"device", "check", "noisy", "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(describe(r)));
        QVERIFY(jsonOf(r.out).value("skipped_lines").toInt() >= 2);
    }

    void anOlderAgentIsToldToUpgrade() {
        QVERIFY(addDevice("old", QString(TAILPRUNE_SOURCE_DIR) + "/tests/remote/v1_agent.py").exitCode == 0);
        QElapsedTimer t;
        t.start();
        const CliResult r = runCli({"device", "check", "old"}, 30000);
        QCOMPARE(r.exitCode, 3);
        QVERIFY2(r.err.contains("upgrade the agent"), qPrintable(describe(r)));
        QVERIFY(t.elapsed() < 20000);
    }

    void twoDevicesAtOnce() {
        QVERIFY(addDevice("a", tailpruneCli()).exitCode == 0);
        QVERIFY(addDevice("b", tailpruneCli()).exitCode == 0);
        const QStringList spec = {"profile", "--weights", kWeights, "--tokens", "10..50:20", "--rounds", "1", "--warmup", "1",
                                  "--min-samples", "3", "--min-time", "0", "--noise", "0.5", "-q"};
        QProcess pa, pb;
        pa.start(tailpruneCli(), spec + QStringList{"--on", "a", "-o", work_.filePath("a.json")});
        pb.start(tailpruneCli(), spec + QStringList{"--on", "b", "-o", work_.filePath("b.json")});
        QVERIFY(pa.waitForFinished(120000) && pb.waitForFinished(120000));
        QVERIFY2(pa.exitCode() == 0, pa.readAllStandardError().constData());
        QVERIFY2(pb.exitCode() == 0, pb.readAllStandardError().constData());
        QCOMPARE(readJsonFile(work_.filePath("a.json")).value("curves").toArray().size(), 1);
        QCOMPARE(readJsonFile(work_.filePath("b.json")).value("curves").toArray().size(), 1);
    }

    void aDroppedLinkReconnectsAndResumes() {
        // --no-detach (the sweep on the connection itself, as before sessions): the device is
        // reached through a relay that drops every connection once, mid-sweep; the client resumes
        // from its last checkpoint. (Sessions under faults: tst_remote_sessions.)
        TcpRelay relay(sshd_.port());
        QVERIFY(addDevice("flaky", tailpruneCli(), {}, {}, relay.port()).exitCode == 0);
        const QString out = work_.filePath("flaky.json");
        QProcess sweep;
        sweep.start(tailpruneCli(), {"profile", "--weights", kWeights, "--tokens", "2..50", "--rounds", "2", "--warmup", "1",
                                     "--min-samples", "5", "--min-time", "0.15", "--noise", "0.5", "--chunk", "8", "-q",
                                     "-o", out, "--on", "flaky", "--no-detach"});
        // Cut after the first checkpoint with points (the agent sends the profile's frame at the
        // start, then one at most every 10 s).
        auto pointsIn = [&] { return readJsonFile(out).value("curves").toArray().at(0).toObject().value("points").toArray().size(); };
        QElapsedTimer t;
        t.start();
        while (pointsIn() == 0 && t.elapsed() < 60000 && sweep.state() != QProcess::NotRunning) QTest::qWait(100);
        const int pointsBefore = pointsIn();
        QVERIFY2(pointsBefore > 0, "no checkpoint with points arrived before the sweep ended: make the sweep longer");
        relay.cut();
        QVERIFY(sweep.waitForFinished(180000));
        const QString err = QString::fromUtf8(sweep.readAllStandardError());
        QVERIFY2(sweep.exitCode() == 0, qPrintable(err));
        QVERIFY2(err.contains("reconnecting"), qPrintable(err));
        QVERIFY2(relay.accepted() >= 2, qPrintable(err));
        const QJsonObject profile = readJsonFile(out);
        const QJsonArray points = profile.value("curves").toArray().at(0).toObject().value("points").toArray();
        QCOMPARE(points.size(), 49);  // every count 2..50, none lost, none twice
        QVERIFY(!profile.value("curves").toArray().at(0).toObject().value("partial").toBool());
    }

    void masterConnectionIsSharedAndClosed() {
        QVERIFY(addDevice("master", tailpruneCli()).exitCode == 0);
        qputenv("TAILPRUNE_SSH_PERSIST", "60");
        const CliResult first = runCli({"device", "check", "master", "--json"});
        const CliResult second = runCli({"device", "check", "master", "--json"});
        QVERIFY2(first.exitCode == 0 && second.exitCode == 0, qPrintable(describe(first) + describe(second)));
        // Two checks, one ssh login: the second rode on the master connection.
        QCOMPARE(sshd_.log().count("Accepted publickey"), logins_ + 1);
        const CliResult closed = runCli({"device", "disconnect", "master"});
        qputenv("TAILPRUNE_SSH_PERSIST", "0");
        QCOMPARE(closed.exitCode, 0);
    }

    void cleanup() { logins_ = sshd_.log().count("Accepted publickey"); }
};

QTEST_GUILESS_MAIN(RemoteSsh)
#include "tst_remote_ssh.moc"
