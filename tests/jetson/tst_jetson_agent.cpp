// Issue 22, end to end: the real agent sweeps on the CPU of a "Jetson" (a fixture sysfs tree
// imitating an AGX Orin's, fake nvpmodel / jetson_clocks / sudo first on PATH) while the test
// changes the board's clocks and temperatures under it; the agent's hello, clock_state and clocks
// commands; the CLI's device clocks / lock-clocks / unlock-clocks here and over a test sshd; an
// older agent gives one clear error; `tailprune show` prints the flags.
#include <QtTest>

#include "core/model/clock_flags.h"
#include "core/model/profile_json.h"
#include "jetson_fixture.h"
#include "tests/agent/agent_process.h"
#include "tests/remote/remote_test_util.h"
#include "tests/remote/test_sshd.h"

using nlohmann::json;
using namespace tp;

namespace {

QStringList kinds(const std::vector<ClockFlag>& flags) {
    QStringList out;
    for (const auto& f : flags) out << QString::fromStdString(f.kind);
    return out;
}

QString env(const Profile& p, const char* key) {
    auto it = p.settings.environment.find(key);
    return it == p.settings.environment.end() ? QString() : QString::fromStdString(it->second);
}

}  // namespace

class JetsonAgent : public QObject {
    Q_OBJECT

    QTemporaryDir work_;
    TestSshd sshd_;
    QString skip_;

    QString devices() const { return work_.filePath("devices.json"); }

    CliResult addDevice(const QString& name, const JetsonFixture& board, const QString& agent = {}) {
        return runCli({"device", "add", name, "--ssh", userName() + "@127.0.0.1", "--port", QString::number(sshd_.port()),
                       "--identity", sshd_.clientKey(), "--agent", agent.isEmpty() ? tailpruneCli() : agent,
                       "--ssh-config", sshd_.sshConfig(), "--known-hosts", work_.filePath("known_hosts"), "--env",
                       "TAILPRUNE_SYSFS_ROOT=" + board.root(), "--env",
                       "PATH=" + JetsonFixture::fakeBin() + ":/usr/local/bin:/usr/bin:/bin", "--env",
                       "TAILPRUNE_CLOCKS_DIR=" + board.clocksDir(), "--replace"});
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(work_.isValid());
        QVERIFY2(!tailpruneCli().isEmpty(), "ctest sets TAILPRUNE_CLI");
        qputenv("TAILPRUNE_DEVICES", devices().toUtf8());
        qputenv("TAILPRUNE_SSH_PERSIST", "0");
        skip_ = sshd_.start();
    }

    // A real CPU sweep of the agent while the test plays the board: locked and steady; unlocked
    // with the governor moving the clock; locked, then throttled (the maximum capped, a zone over
    // its passive trip point) once two points are in.
    void sweep_data() {
        QTest::addColumn<QString>("board");
        QTest::addColumn<QStringList>("expected");
        QTest::newRow("locked") << "locked" << QStringList{};
        QTest::newRow("unlocked") << "unlocked" << QStringList{"clocks_unlocked", "clock_changed"};
        QTest::newRow("throttling mid-sweep") << "throttling" << QStringList{"clock_changed", "throttled", "throttled"};
    }
    void sweep() {
        QFETCH(QString, board);
        QFETCH(QStringList, expected);
        JetsonFixture f;
        if (board == "unlocked") f.setUnlocked(918000000);
        AgentProcess a;
        a.process().setProcessEnvironment(f.environment());
        QVERIFY(a.start());
        json request = tiny_profile("sweep", "2..17", 0.02);
        a.send(request);
        std::vector<json> before_change;  // points the agent sent before the board changed
        bool changed = false;
        json result;
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < 120000) {
            const json e = a.next(60000);
            QVERIFY2(!e.is_null(), "the agent went quiet");
            if (e.value("id", json()) != "sweep") continue;
            const std::string kind = e.value("event", "");
            if (kind == "point" && !changed) before_change.push_back(e["point"]);
            if (kind == "progress") {
                const int done = e.value("done", 0);
                // A governor's walk, not periodic, so no point's rounds all see one clock.
                static const long long kWalk[] = {306000000, 918000000, 1300500000, 612000000, 510000000};
                if (board == "unlocked") f.setUnlocked(kWalk[done % 5]);
                // Throttled once two points are in, so points on both sides of the change.
                if (board == "throttling" && !changed && before_change.size() >= 2) {
                    f.setGpu(612000000, 1300500000, 612000000);
                    f.setTemp(1, 101500);  // gpu-thermal over its 99 C passive trip point
                    changed = true;
                }
            }
            if (kind == "error") QFAIL(e.dump().c_str());
            if (kind == "done") {
                result = e["result"];
                break;
            }
        }
        QVERIFY(result.is_object());
        const Profile p = profile_from_json(result["profile"]);
        QCOMPARE(kinds(p.clock_flags), expected);
        QCOMPARE(env(p, clock_env::kDevfreq), QString("17000000.ga10b"));
        QCOMPARE(env(p, clock_env::kPowerMode), QString("MAXN (mode 0)"));
        QCOMPARE(env(p, clock_env::kTemperatureZone), QString("cpu-thermal"));
        QCOMPARE(QString::fromStdString(p.device.extra.at("jetson_gpu")), QString("ga10b"));
        const Curve& c = p.curves.at(0);
        QCOMPARE(int(c.points.size()), 16);
        for (const CurvePoint& pt : c.points) {
            QVERIFY(pt.gpu_mhz && pt.gpu_min_mhz && pt.gpu_max_mhz && pt.hottest_c);
            QCOMPARE(pt.gpu_load.value_or(-1), 0.0);
            QCOMPARE(pt.temperature_c.value_or(-1), 40.0);  // cpu-thermal: the CPU is what was measured
            QVERIFY(!pt.sm_clock_mhz);                       // the GPU's clock is not the measured device's
        }
        QString flags;
        for (const auto& fl : p.clock_flags) flags += QString::fromStdString(fl.kind + ": " + fl.message) + "\n";
        if (board == "locked") {
            QCOMPARE(env(p, clock_env::kClocks), QString("locked at 1300.5 MHz"));
            QCOMPARE(env(p, clock_env::kClocksEnd), QString("locked at 1300.5 MHz"));
            for (const CurvePoint& pt : c.points) QCOMPARE(*pt.gpu_mhz, 1300.5);
        }
        if (board == "unlocked") {
            QCOMPARE(env(p, clock_env::kClocks), QString("unlocked (nvhost_podgov, 306.0-1300.5 MHz)"));
            QVERIFY2(flags.contains("between 306.0 and 1300.5 MHz"), qPrintable(flags));
        }
        if (board == "throttling") {
            QVERIFY2(!before_change.empty(), "no point finished before the change: the sweep is too short to test");
            for (const json& pt : before_change) {
                QCOMPARE(pt.value("gpu_mhz", 0.0), 1300.5);
                QVERIFY(!pt.contains("over_trip"));
            }
            int tripped = 0;
            for (const CurvePoint& pt : c.points) tripped += !pt.over_trip.empty();
            QVERIFY(tripped > 0);
            QVERIFY2(flags.contains("lowered from 1300.5 to 612.0 MHz") && flags.contains("gpu-thermal 101.5 C >= trip 99.0 C"),
                     qPrintable(flags));
            QVERIFY(env(p, clock_env::kClocksEnd).startsWith("capped at 612.0 MHz"));
            // `tailprune show` says it, one line per flag.
            const QString file = work_.filePath("throttled.json");
            save_profile(p, file.toStdString());
            const CliResult show = runCli({"show", file});
            QCOMPARE(show.exitCode, 0);
            QVERIFY2(show.out.contains("board    GPU 17000000.ga10b, power mode MAXN (mode 0), clocks locked at 1300.5 MHz"),
                     qPrintable(show.out));
            QCOMPARE(show.out.count("WARNING  throttled: "), 2);
            QCOMPARE(show.out.count("WARNING  clock_changed: "), 1);
        }
        a.close_input();
        QVERIFY(a.finished(10000));
    }

    // hello's board, clock_state, and clocks lock/unlock over the protocol.
    void protocol_data() {
        QTest::addColumn<bool>("sudoAllowed");
        QTest::newRow("sudo -n allowed") << true;
        QTest::newRow("sudo wants a password") << false;
    }
    void protocol() {
        QFETCH(bool, sudoAllowed);
        JetsonFixture f;
        f.setUnlocked(612000000);
        f.allowSudo(sudoAllowed);
        AgentProcess a;
        a.process().setProcessEnvironment(f.environment());
        QVERIFY(a.start());
        a.send(json{{"v", 5}, {"id", "h"}, {"cmd", "hello"}});
        auto hello = a.until_final("h");
        QVERIFY(!hello.empty() && hello.back()["event"] == "done");
        const json board = hello.back()["result"]["board"];
        QCOMPARE(hello.back()["result"]["protocol"].get<int>(), 5);
        QCOMPARE(board["jetson"].get<bool>(), true);
        QCOMPARE(QString::fromStdString(board["clocks"].get<std::string>()), QString("unlocked (nvhost_podgov, 306.0-1300.5 MHz)"));
        QCOMPARE(board["power_mode"]["name"].get<std::string>(), std::string("MAXN"));

        a.send(json{{"v", 5}, {"id", "s"}, {"cmd", "clock_state"}});
        auto state = a.until_final("s");
        QVERIFY(!state.empty() && state.back()["event"] == "done");
        QCOMPARE(state.back()["result"]["gpu"]["cur_mhz"].get<double>(), 612.0);
        QCOMPARE(state.back()["result"]["thermal_zones"].size(), std::size_t(10));

        a.send(json{{"v", 5}, {"id", "bad"}, {"cmd", "clocks"}, {"action", "max"}});
        auto bad = a.until_final("bad");
        QVERIFY(!bad.empty() && bad.back()["event"] == "error");
        QCOMPARE(bad.back()["code"].get<std::string>(), std::string("bad_request"));

        a.send(json{{"v", 5}, {"id", "lock"}, {"cmd", "clocks"}, {"action", "lock"}});
        auto lock = a.until_final("lock");
        QVERIFY(!lock.empty());
        if (sudoAllowed) {
            QVERIFY2(lock.back()["event"] == "done", lock.back().dump().c_str());
            QCOMPARE(lock.back()["result"]["board"]["clocks"].get<std::string>(), std::string("locked at 1300.5 MHz"));
            a.send(json{{"v", 5}, {"id", "unlock"}, {"cmd", "clocks"}, {"action", "unlock"}});
            auto unlock = a.until_final("unlock");
            QVERIFY2(!unlock.empty() && unlock.back()["event"] == "done", unlock.empty() ? "" : unlock.back().dump().c_str());
            QCOMPARE(f.read(QString(JetsonFixture::kDevfreq) + "/min_freq"), QString("306000000"));
        } else {
            QCOMPARE(lock.back()["event"].get<std::string>(), std::string("error"));
            QCOMPARE(lock.back()["code"].get<std::string>(), std::string("permission"));
            QVERIFY2(QString::fromStdString(lock.back()["message"].get<std::string>())
                         .startsWith("needs permission: add this sudoers rule: " + userName() + " ALL=(root) NOPASSWD: " +
                                     JetsonFixture::fakeBin() + "/jetson_clocks"),
                     lock.back().dump().c_str());
            QCOMPARE(f.read(QString(JetsonFixture::kDevfreq) + "/min_freq"), QString("306000000"));
        }
        a.close_input();
        QVERIFY(a.finished(10000));
    }

    // The CLI on this machine (device `local`): it runs jetson_clocks here, no agent involved.
    void cliLocal_data() {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<bool>("sudoAllowed");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("says");
        QTest::newRow("clocks") << QStringList{"device", "clocks", "local"} << false << 0
                                << "local: Jetson ga10b: power mode MAXN (mode 0), GPU clocks unlocked (nvhost_podgov, 306.0-1300.5 MHz)";
        QTest::newRow("lock-clocks allowed") << QStringList{"device", "lock-clocks", "local"} << true << 0
                                             << "local: clocks locked: GPU locked at 1300.5 MHz, power mode MAXN (mode 0)";
        QTest::newRow("lock-clocks without a sudoers rule") << QStringList{"device", "lock-clocks", "local"} << false << 4
                                                            << "error: needs permission: add this sudoers rule: ";
        QTest::newRow("unlock-clocks with nothing stored") << QStringList{"device", "unlock-clocks", "local"} << true << 1
                                                           << "error: nothing to restore";
    }
    void cliLocal() {
        QFETCH(QStringList, args);
        QFETCH(bool, sudoAllowed);
        QFETCH(int, exitCode);
        QFETCH(QString, says);
        JetsonFixture f;
        f.setUnlocked(612000000);
        f.allowSudo(sudoAllowed);
        const QByteArray oldPath = qgetenv("PATH");
        f.applyToThisProcess();
        const CliResult r = runCli(args);
        qputenv("PATH", oldPath);
        QCOMPARE(r.exitCode, exitCode);
        QVERIFY2((r.out + r.err).contains(says), qPrintable(describe(r)));
        if (exitCode == 4)
            QVERIFY2(r.err.contains(userName() + " ALL=(root) NOPASSWD: " + JetsonFixture::fakeBin() + "/jetson_clocks"),
                     qPrintable(r.err));
    }

    // An SSH device goes through its agent: device check shows the board, lock-clocks and
    // unlock-clocks work or say which sudoers rule is missing; an agent of protocol 3 is told apart.
    void overSsh() {
        if (!skip_.isEmpty()) QSKIP(qPrintable("sshd cannot start here, so the SSH tests cannot run: " + skip_));
        JetsonFixture f;
        f.setUnlocked(612000000);
        QVERIFY2(addDevice("orin", f).exitCode == 0, "device add");
        const CliResult check = runCli({"device", "check", "orin"});
        QVERIFY2(check.exitCode == 0 && check.out.contains("Jetson ga10b: power mode MAXN (mode 0), GPU clocks unlocked"),
                 qPrintable(describe(check)));

        const CliResult denied = runCli({"device", "lock-clocks", "orin"});
        QCOMPARE(denied.exitCode, 4);
        QVERIFY2(denied.err.startsWith("error: device 'orin'") &&
                     denied.err.contains("needs permission: add this sudoers rule: " + userName() +
                                     " ALL=(root) NOPASSWD: " + JetsonFixture::fakeBin() + "/jetson_clocks"),
                 qPrintable(describe(denied)));
        f.allowSudo(true);
        const CliResult lock = runCli({"device", "lock-clocks", "orin"});
        QVERIFY2(lock.exitCode == 0 && lock.out.contains("orin: clocks locked: GPU locked at 1300.5 MHz"), qPrintable(describe(lock)));
        const CliResult state = runCli({"device", "clocks", "orin", "--json"});
        QCOMPARE(state.exitCode, 0);
        QCOMPARE(jsonOf(state.out).value("locked").toBool(), true);
        const CliResult unlock = runCli({"device", "unlock-clocks", "orin"});
        QVERIFY2(unlock.exitCode == 0 && unlock.out.contains("clocks restored: GPU unlocked"), qPrintable(describe(unlock)));

        QVERIFY(addDevice("old", f, QString(TAILPRUNE_SOURCE_DIR) + "/tests/remote/v3_agent.py").exitCode == 0);
        const CliResult old = runCli({"device", "lock-clocks", "old"});
        QCOMPARE(old.exitCode, 1);
        QVERIFY2(old.err.contains("speaks protocol 3; lock-clocks needs protocol 5: update the agent on 'old'"),
                 qPrintable(describe(old)));
    }
};

QTEST_GUILESS_MAIN(JetsonAgent)
#include "tst_jetson_agent.moc"
