// `tailprune device install` end to end against a real sshd on 127.0.0.1 (issue 22): the bundle
// beside the built tailprune is copied over ssh and really built "on the device" (this machine,
// under a private HOME given as the device's environment), self-checked, switched into place and
// recorded in the device entry, after which `device check` and a sweep use it. Slow: one cold build
// of the headless agent (core, runtime, CLI), ~5-6 min on 2 cores (unity batches); ccache shortens reruns.
#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QProcessEnvironment>
#include <QTemporaryDir>
#include <QtTest>

#include "tests/remote/remote_test_util.h"
#include "core/remote/askpass.h"
#include "fake_tools.h"
#include "test_sshd.h"

class TestAgentInstall : public QObject {
    Q_OBJECT

    TestSshd sshd_;
    QString skip_;
    QTemporaryDir work_{QDir::tempPath() + "/tp-install-XXXXXX"};

    QString devices() const { return work_.filePath("devices.json"); }
    QString home() const { return work_.filePath("device-home"); }

    // An ssh device with no agent yet; its HOME (and so ~/.cache/tailprune/agent) is private to
    // the test. CCACHE_DIR passes through so reruns here reuse the compiler cache.
    CliResult addDevice(const QString& name, const QStringList& moreEnv = {}) {
        QStringList args{"device", "add", name, "--ssh", userName() + "@127.0.0.1", "--port", QString::number(sshd_.port()),
                         "--identity", sshd_.clientKey(), "--ssh-config", sshd_.sshConfig(), "--known-hosts",
                         work_.filePath("known_hosts"), "--env", "HOME=" + home(), "--replace"};
        const QString ccache = QProcessEnvironment::systemEnvironment().value(
            "CCACHE_DIR", QDir::homePath() + "/.cache/ccache");
        args << "--env" << "CCACHE_DIR=" + ccache;
        for (const auto& e : moreEnv) args << "--env" << e;
        return runCli(args);
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(work_.isValid());
        QVERIFY(QDir().mkpath(home()));
        skip_ = sshd_.start();
        qputenv("TAILPRUNE_DEVICES", devices().toUtf8());
        qunsetenv(tp::remote::kAskpassSocketEnv);
        QVERIFY2(!tailpruneCli().isEmpty(), "ctest sets TAILPRUNE_CLI");
    }
    void init() {
        if (!skip_.isEmpty()) QSKIP(qPrintable("sshd cannot start here, so the install cannot be tried: " + skip_));
    }

    void deviceWithoutAgentSaysHowToInstall() {
        QCOMPARE(addDevice("fresh").exitCode, 0);
        const CliResult check = runCli({"device", "check", "fresh"});
        QCOMPARE(check.exitCode, 3);
        QVERIFY2(check.err.contains("tailprune device install fresh"), qPrintable(describe(check)));
    }

    void missingToolsAreNamed() {
        // A cmake that is too old comes first in the device's PATH.
        const QString bin = work_.filePath("old-bin");
        QVERIFY(makeOldCmake(bin));
        QCOMPARE(addDevice("oldbox", {"PATH=" + bin + ":/usr/bin:/bin"}).exitCode, 0);
        const CliResult r = runCli({"device", "install", "oldbox", "--json"}, 120000);
        QVERIFY2(r.exitCode == 4, qPrintable(describe(r)));
        QVERIFY2(r.err.contains("CMake 3.22 or newer") && r.err.contains("3.16.3"), qPrintable(describe(r)));
        const QJsonObject out = jsonOf(r.out);
        QCOMPARE(out.value("status").toString(), QString("missing"));
        QVERIFY(!QFileInfo::exists(home() + "/.cache/tailprune/agent/incoming"));  // nothing was copied
    }

    void installBuildsChecksAndRecords() {
        QCOMPARE(addDevice("box").exitCode, 0);
        const CliResult r = runCli({"device", "install", "box", "--json", "--jobs", "2"}, 40 * 60 * 1000);
        QVERIFY2(r.exitCode == 0, qPrintable(describe(r).right(4000)));
        const QJsonObject out = jsonOf(r.out);
        QCOMPARE(out.value("status").toString(), QString("installed"));
        const QString agent = out.value("agent").toString();
        QVERIFY2(agent.startsWith(home() + "/.cache/tailprune/agent/0.1.0-") && agent.endsWith("/bin/tailprune"),
                 qPrintable(agent));
        QVERIFY(QFileInfo(agent).isExecutable());
        QVERIFY(out.value("self_check").toObject().value("ok").toBool());
        QCOMPARE(out.value("self_check").toObject().value("points").toInt(), 2);
        QCOMPARE(out.value("check").toObject().value("status").toString(), QString("ready"));
        QVERIFY2(r.err.contains("== build") && r.err.contains("== self-check"), qPrintable(r.err.right(2000)));
        QVERIFY2(r.err.contains("Linking CXX executable app/tailprune"), "the build log streams");

        // The entry now points at it, and `device check` finds it.
        const QJsonArray entries = readJsonFile(devices()).value("devices").toArray();
        QString recorded;
        for (const auto& e : entries)
            if (e.toObject().value("name").toString() == "box") recorded = e.toObject().value("agent").toString();
        QCOMPARE(recorded, agent);
        const CliResult check = runCli({"device", "check", "box", "--json"});
        QVERIFY2(check.exitCode == 0, qPrintable(describe(check)));

        // A measurement through the installed agent.
        const CliResult measure = runCli({"profile", "--on", "box", "--model", "deit_tiny_patch16_224", "--scope", "model",
                                          "--tokens", "5,9", "--rounds", "1", "--warmup", "1", "--min-samples", "3",
                                          "--min-time", "0", "--no-detach", "-o", work_.filePath("p.json")},
                                         300000);
        QVERIFY2(measure.exitCode == 0, qPrintable(describe(measure)));

        // Installing the same bundle again rebuilds nothing and switches to an equal build.
        const CliResult again = runCli({"device", "install", "box", "--json"}, 20 * 60 * 1000);
        QVERIFY2(again.exitCode == 0, qPrintable(describe(again).right(3000)));
        QVERIFY2(again.err.contains("0 changed file(s)"), qPrintable(again.err.right(2000)));
        QCOMPARE(jsonOf(again.out).value("agent").toString(), agent);
        const QStringList versions = QDir(home() + "/.cache/tailprune/agent")
                                         .entryList({".v-*"}, QDir::Dirs | QDir::Hidden | QDir::NoDotAndDotDot);
        QCOMPARE(versions.size(), 1);
    }

    void unreachableDeviceIsOneClearError() {
        const int port = TestSshd::freePort();
        QCOMPARE(runCli({"device", "add", "gone", "--ssh", userName() + "@127.0.0.1", "--port", QString::number(port),
                         "--identity", sshd_.clientKey(), "--ssh-config", sshd_.sshConfig(), "--known-hosts",
                         work_.filePath("known_hosts")})
                     .exitCode,
                 0);
        const CliResult r = runCli({"device", "install", "gone"}, 60000);
        QCOMPARE(r.exitCode, 3);
        QVERIFY2(r.err.contains("refused"), qPrintable(describe(r)));
    }
};

QTEST_GUILESS_MAIN(TestAgentInstall)
#include "tst_agent_install.moc"
