// Issue 22, core side: the Jetson board reader (devfreq, thermal zones, nvpmodel, jetson_clocks)
// against a fixture sysfs tree imitating an AGX Orin, the clock flags a profile gets from its
// points, the format's new fields, and lock/unlock through the fake sudo.
#include <QtTest>

#include <pwd.h>
#include <unistd.h>

#include "core/jetson/board_clocks.h"
#include "core/jetson/clock_control.h"
#include "core/model/clock_flags.h"
#include "core/model/profile_json.h"
#include "core/util/format_error.h"
#include "jetson_fixture.h"

using namespace tp;

namespace {

// A CPU profile of `n` points whose board fields come from `fill(i, point)`.
Profile profile_with(int n, const std::function<void(int, CurvePoint&)>& fill) {
    Profile p;
    p.device.name = "cpu";
    p.model.name = "deit_tiny";
    p.model.depth = 12;
    p.model.embed_dim = 192;
    p.model.heads = 3;
    Curve c;
    c.name = "model";
    c.scope.kind = ScopeKind::Model;
    for (int i = 0; i < n; ++i) {
        CurvePoint pt;
        pt.tokens = 10 + i;
        pt.median_ms = pt.mean_ms = pt.p10_ms = pt.p90_ms = pt.min_ms = 1.0 + 0.01 * i;
        fill(i, pt);
        c.points.push_back(pt);
    }
    p.curves.push_back(c);
    return p;
}

QStringList kinds(const std::vector<ClockFlag>& flags) {
    QStringList out;
    for (const auto& f : flags) out << QString::fromStdString(f.kind);
    return out;
}

}  // namespace

class JetsonBoard : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void devfreq_data() {
        QTest::addColumn<QString>("setup");
        QTest::addColumn<bool>("found");
        QTest::addColumn<QString>("gpu");
        QTest::addColumn<double>("cur");
        QTest::addColumn<QString>("clocks");
        QTest::addColumn<QString>("unreadable");
        QTest::newRow("orin locked") << "locked" << true << "ga10b" << 1300.5 << "locked at 1300.5 MHz" << "";
        QTest::newRow("orin unlocked") << "unlocked" << true << "ga10b" << 612.0
                                       << "unlocked (nvhost_podgov, 306.0-1300.5 MHz)" << "";
        QTest::newRow("garbage cur_freq") << "garbage cur" << true << "ga10b" << -1.0 << "locked at 1300.5 MHz"
                                          << "cur_freq: not a number ('12ab\\x01')";
        QTest::newRow("negative min_freq") << "negative min" << true << "ga10b" << 1300.5 << "unknown"
                                           << "min_freq: out of range (-5)";
        QTest::newRow("binary governor") << "binary governor" << true << "ga10b" << 1300.5 << "locked at 1300.5 MHz"
                                         << "governor: unreadable";
        QTest::newRow("load over 1000 per mille") << "bad load" << true << "ga10b" << 1300.5 << "locked at 1300.5 MHz"
                                                  << "load: out of range (4000)";
        QTest::newRow("xavier gv11b by name") << "xavier" << true << "gv11b" << 1377.0 << "locked at 1377.0 MHz" << "";
        QTest::newRow("nano 57000000.gpu by device link") << "nano" << true << "gpu" << 921.6 << "locked at 921.6 MHz" << "";
        QTest::newRow("no GPU devfreq (desktop)") << "no gpu" << false << "" << -1.0 << "" << "";
    }
    void devfreq() {
        QFETCH(QString, setup);
        QFETCH(bool, found);
        QFETCH(QString, gpu);
        QFETCH(double, cur);
        QFETCH(QString, clocks);
        QFETCH(QString, unreadable);
        JetsonFixture f;
        if (setup == "unlocked") f.setUnlocked(612000000);
        if (setup == "garbage cur") f.write(QString(JetsonFixture::kDevfreq) + "/cur_freq", "12ab\x01");
        if (setup == "negative min") f.write(QString(JetsonFixture::kDevfreq) + "/min_freq", "-5");
        if (setup == "binary governor") f.write(QString(JetsonFixture::kDevfreq) + "/governor", "perf\x7f\x02ormance");
        if (setup == "bad load") f.write(QString(JetsonFixture::kGpu) + "/load", "4000");
        if (setup == "xavier") {
            QFile::remove(f.path("sys/class/devfreq/17000000.ga10b"));
            const QString dir = "sys/devices/17000000.gv11b/devfreq/17000000.gv11b";
            for (const char* file : {"cur_freq", "min_freq", "max_freq"}) f.write(dir + "/" + file, "1377000000");
            f.write(dir + "/governor", "nvhost_podgov");
            f.link("../../devices/17000000.gv11b/devfreq/17000000.gv11b", "sys/class/devfreq/17000000.gv11b");
        }
        if (setup == "nano") {
            // An entry named after its bus address only: the device link says it is the GPU.
            QFile::remove(f.path("sys/class/devfreq/17000000.ga10b"));
            const QString dir = "sys/devices/57000000.gpu/devfreq/gpufreq";
            for (const char* file : {"cur_freq", "min_freq", "max_freq"}) f.write(dir + "/" + file, "921600000");
            f.link("../../../57000000.gpu", dir + "/device");
            f.link("../../devices/57000000.gpu/devfreq/gpufreq", "sys/class/devfreq/gpufreq");
        }
        if (setup == "no gpu") QFile::remove(f.path("sys/class/devfreq/17000000.ga10b"));

        const auto g = jetson::find_gpu_devfreq(f.root().toStdString());
        QCOMPARE(g.has_value(), found);
        const jetson::BoardState s = jetson::read_board_state(f.root().toStdString(), false);
        QCOMPARE(s.is_jetson(), found);
        if (!found) {
            QCOMPARE(s.to_json()["jetson"].get<bool>(), false);
            return;
        }
        QCOMPARE(QString::fromStdString(g->gpu), gpu);
        if (cur < 0) QVERIFY(!g->cur_mhz);
        else QCOMPARE(g->cur_mhz.value_or(-1), cur);
        QCOMPARE(QString::fromStdString(s.clocks_text()), clocks);
        QString problems;
        for (const auto& u : g->unreadable) problems += QString::fromStdString(u) + "; ";
        if (unreadable.isEmpty()) QVERIFY2(problems.isEmpty(), qPrintable(problems));
        else QVERIFY2(problems.contains(unreadable.left(unreadable.indexOf('(') > 0 ? unreadable.indexOf('(') : unreadable.size())),
                      qPrintable(problems));
        if (setup == "locked") {
            QCOMPARE(g->governor, std::string("nvhost_podgov"));
            QCOMPARE(g->load_percent.value_or(-1), 0.0);
            QCOMPARE(int(g->available_mhz.size()), 11);
            QCOMPARE(g->available_mhz.back(), 1300.5);
            QCOMPARE(QString::fromStdString(g->node), QString("17000000.ga10b"));
        }
    }

    void thermal_data() {
        QTest::addColumn<QString>("setup");
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("zone");
        QTest::addColumn<double>("temp");
        QTest::newRow("gpu zone for cuda") << "" << "cuda" << "gpu-thermal" << 40.5;
        QTest::newRow("cpu zone for cpu") << "" << "cpu" << "cpu-thermal" << 40.0;
        QTest::newRow("unreadable gpu zone: junction") << "gpu garbage" << "cuda" << "tj-thermal" << 44.0;
        QTest::newRow("xavier's -256000 marker is unreadable") << "gpu disabled" << "cuda" << "tj-thermal" << 44.0;
        QTest::newRow("no named zone: hottest") << "anonymous" << "cuda" << "zone-b" << 61.0;
    }
    void thermal() {
        QFETCH(QString, setup);
        QFETCH(QString, kind);
        QFETCH(QString, zone);
        QFETCH(double, temp);
        JetsonFixture f;
        if (setup == "gpu garbage") f.write("sys/class/thermal/thermal_zone1/temp", "hot");
        if (setup == "gpu disabled") f.setTemp(1, -256000);
        if (setup == "anonymous") {
            for (int i = 0; i < 10; ++i) QDir(f.path(QString("sys/class/thermal/thermal_zone%1").arg(i))).removeRecursively();
            f.write("sys/class/thermal/thermal_zone0/type", "zone-a");
            f.write("sys/class/thermal/thermal_zone0/temp", "50000");
            f.write("sys/class/thermal/thermal_zone1/type", "zone-b");
            f.write("sys/class/thermal/thermal_zone1/temp", "61000");
        }
        const auto zones = jetson::read_thermal_zones(f.root().toStdString());
        const jetson::ThermalZone* z = jetson::zone_for(zones, kind.toStdString());
        QVERIFY(z);
        QCOMPARE(QString::fromStdString(z->type), zone);
        QCOMPARE(z->temp_c.value_or(-1), temp);
        if (setup.isEmpty()) {
            QCOMPARE(int(zones.size()), 10);
            QCOMPARE(zones[1].passive_trip_c.value_or(-1), 99.0);
        }
        if (setup == "gpu garbage") QVERIFY(!zones[1].unreadable.empty());
    }

    void tools_data() {
        QTest::addColumn<QString>("tool");
        QTest::addColumn<QString>("output");
        QTest::addColumn<QString>("expect");
        QTest::newRow("nvpmodel MAXN") << "nvpmodel" << "NV Fan Mode:quiet\nNV Power Mode: MAXN\n0\n" << "MAXN|0";
        QTest::newRow("nvpmodel 30W") << "nvpmodel" << "NV Power Mode: 30W\n2\n" << "30W|2";
        QTest::newRow("nvpmodel without id") << "nvpmodel" << "NV Power Mode: MODE_15W\n" << "MODE_15W|";
        QTest::newRow("nvpmodel garbage") << "nvpmodel" << "\x01\x02 garbage\n" << "|!nvpmodel -q printed no power mode";
        QTest::newRow("nvpmodel control characters in the name")
            << "nvpmodel" << "NV Power Mode: MAXN\nNV Power Mode: \x01\x1b[2J\n-5\n" << "|!nvpmodel -q: unreadable power mode ('??[2J')";
        QTest::newRow("jetson_clocks locked")
            << "show" << "SOC family:tegra234  Machine:Orin\nGPU MinFreq=1300500000 MaxFreq=1300500000 CurrentFreq=1300500000\n"
                         "NV Power Mode: MAXN\n"
            << "1300.5|1300.5|locked|MAXN";
        QTest::newRow("jetson_clocks unlocked")
            << "show" << "GPU MinFreq=306000000 MaxFreq=1300500000 CurrentFreq=612000000\n" << "306.0|1300.5|unlocked|";
        QTest::newRow("jetson_clocks garbage") << "show" << "GPU MinFreq=x MaxFreq=\n" << "||unknown|";
        QTest::newRow("jetson_clocks not root") << "show" << "Error: must be run as root\n" << "||unknown|";
    }
    void tools() {
        QFETCH(QString, tool);
        QFETCH(QString, output);
        QFETCH(QString, expect);
        const QStringList e = expect.split('|');
        if (tool == "nvpmodel") {
            const auto m = jetson::parse_nvpmodel_query(output.toStdString());
            QCOMPARE(QString::fromStdString(m.name), e[0]);
            QCOMPARE(m.id ? QString::number(*m.id) : QString(), e[1].startsWith('!') ? QString() : e[1]);
            if (e.size() > 2 || e[1].startsWith('!')) QCOMPARE(QString::fromStdString(m.problem), e.last().mid(1));
            return;
        }
        const auto s = jetson::parse_jetson_clocks_show(output.toStdString());
        auto num = [](const std::optional<double>& v) { return v ? QString::number(*v, 'f', 1) : QString(); };
        QCOMPARE(num(s.gpu_min_mhz), e[0]);
        QCOMPARE(num(s.gpu_max_mhz), e[1]);
        QCOMPARE(s.locked() ? (*s.locked() ? QString("locked") : QString("unlocked")) : QString("unknown"), e[2]);
        QCOMPARE(QString::fromStdString(s.power_mode), e[3]);
    }

    // The tools through the fake scripts: argv, never a shell; a hung one is cut at 3 s.
    void boardStateRunsTheTools_data() {
        QTest::addColumn<bool>("hang");
        QTest::newRow("answers") << false;
        QTest::newRow("nvpmodel hangs") << true;
    }
    void boardStateRunsTheTools() {
        QFETCH(bool, hang);
        JetsonFixture f;
        f.applyToThisProcess();
        if (hang) f.write("fake/nvpmodel_hangs", "");
        QElapsedTimer t;
        t.start();
        const jetson::BoardState s = jetson::read_board_state(f.root().toStdString());
        QVERIFY(t.elapsed() < 10000);
        if (hang) {
            QVERIFY2(QString::fromStdString(s.power_mode.problem).contains("did not answer"),
                     qPrintable(QString::fromStdString(s.power_mode.problem)));
        } else {
            QCOMPARE(QString::fromStdString(s.power_mode_text()), QString("MAXN (mode 0)"));
        }
        // jetson_clocks --show needs root: its failure is said, the lock state comes from devfreq.
        QVERIFY(QString::fromStdString(s.clocks_show.problem).contains("needs root"));
        QCOMPARE(s.locked().value_or(false), true);
        QVERIFY(f.calls().contains("nvpmodel -q"));
    }

    void sampler_data() {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("zone");
        QTest::newRow("cpu sweep: cpu-thermal") << "cpu" << "cpu-thermal";
        QTest::newRow("cuda sweep: gpu-thermal") << "cuda" << "gpu-thermal";
    }
    void sampler() {
        QFETCH(QString, kind);
        QFETCH(QString, zone);
        JetsonFixture f;
        auto s = jetson::ClockSampler::open(f.root().toStdString(), kind.toStdString());
        QVERIFY(s);
        QCOMPARE(QString::fromStdString(s->temperature_zone()), zone);
        auto a = s->sample();
        QCOMPARE(a.gpu_mhz.value_or(0), 1300.5);
        QCOMPARE(a.gpu_min_mhz.value_or(0), 1300.5);
        QCOMPARE(a.hottest_c.value_or(0), 44.5);
        QVERIFY(a.over_trip.empty());
        f.setGpu(612000000, 1300500000, 612000000);
        f.setTemp(1, 101500);
        auto b = s->sample();
        QCOMPARE(b.gpu_mhz.value_or(0), 612.0);
        QCOMPARE(b.gpu_max_mhz.value_or(0), 612.0);
        QCOMPARE(QString::fromStdString(b.over_trip), QString("gpu-thermal 101.5 C >= trip 99.0 C"));
        QVERIFY(!jetson::ClockSampler::open(f.root().toStdString() + "/nowhere", "cpu"));
    }

    void flags_data() {
        QTest::addColumn<QString>("board");
        QTest::addColumn<QStringList>("expected");
        QTest::addColumn<QString>("detail");
        QTest::newRow("locked, steady") << "locked" << QStringList{} << "";
        QTest::newRow("unlocked, clock moving") << "unlocked" << QStringList{"clocks_unlocked", "clock_changed"}
                                                << "between 306.0 and 1300.5 MHz";
        QTest::newRow("throttled mid-sweep") << "throttled" << QStringList{"clock_changed", "throttled", "throttled"}
                                             << "lowered from 1300.5 to 612.0 MHz";
        QTest::newRow("locked but running below") << "below" << QStringList{"clock_changed", "throttled"}
                                                  << "below its locked clock";
        QTest::newRow("power mode changed") << "mode" << QStringList{"power_mode_changed"} << "MAXN (mode 0) at the start";
        QTest::newRow("NVML boost jitter 3%") << "nvml small" << QStringList{} << "";
        QTest::newRow("NVML clock drop 20%") << "nvml drop" << QStringList{"clock_changed"} << "most points ran at 1980.0 MHz, 1 of 12 points at other clocks (1584.0 to 1980.0 MHz)";
        QTest::newRow("no clock data (CPU elsewhere)") << "none" << QStringList{} << "";
    }
    void flags() {
        QFETCH(QString, board);
        QFETCH(QStringList, expected);
        QFETCH(QString, detail);
        Profile p = profile_with(12, [&](int i, CurvePoint& pt) {
            const bool late = i >= 6;
            if (board == "locked" || board == "mode") {
                pt.gpu_mhz = pt.gpu_min_mhz = pt.gpu_max_mhz = 1300.5;
            } else if (board == "unlocked") {
                pt.gpu_min_mhz = 306;
                pt.gpu_max_mhz = 1300.5;
                pt.gpu_mhz = i % 2 ? 306 : 918;
            } else if (board == "throttled") {
                pt.gpu_min_mhz = 1300.5;
                pt.gpu_max_mhz = pt.gpu_mhz = late ? 612.0 : 1300.5;
                if (i == 7) pt.over_trip = "gpu-thermal 101.5 C >= trip 99.0 C";
            } else if (board == "below") {
                pt.gpu_min_mhz = pt.gpu_max_mhz = 1300.5;
                pt.gpu_mhz = late ? 918.0 : 1300.5;
            } else if (board == "nvml small") {
                pt.sm_clock_mhz = i % 2 ? 1980 : 1920;
            } else if (board == "nvml drop") {
                pt.sm_clock_mhz = i == 3 ? 1584 : 1980;
            }
        });
        if (board == "mode") {
            p.settings.environment[clock_env::kPowerMode] = "MAXN (mode 0)";
            p.settings.environment[clock_env::kPowerModeEnd] = "30W (mode 2)";
        }
        const auto flags = compute_clock_flags(p);
        QCOMPARE(kinds(flags), expected);
        QString all;
        for (const auto& f : flags) all += QString::fromStdString(f.message) + "\n";
        if (!detail.isEmpty()) QVERIFY2(all.contains(detail), qPrintable(all));
        if (board == "throttled") {
            QVERIFY2(all.contains("6 of 12 points"), qPrintable(all));
            QVERIFY2(all.contains("model at 16, 17, 18, 19, 20, 21 tokens"), qPrintable(all));
            QVERIFY2(all.contains("thermal throttling") && all.contains("gpu-thermal 101.5 C"), qPrintable(all));
        }

        // The format keeps the new fields and the flags; a file without `clock_flags` (written
        // before issue 22) gets them computed from its points on read.
        p.clock_flags = flags;
        const nlohmann::json doc = to_json(p);
        const Profile back = profile_from_json(doc);
        QCOMPARE(kinds(back.clock_flags), expected);
        QVERIFY(to_json(back) == doc);
        nlohmann::json old = doc;
        old.erase("clock_flags");
        QCOMPARE(kinds(profile_from_json(old).clock_flags), expected);
    }

    void strictReader_data() {
        QTest::addColumn<QString>("edit");
        QTest::addColumn<QString>("error");
        QTest::newRow("unknown point field") << "point" << "/curves/0/points/0";
        QTest::newRow("unknown flag field") << "flag" << "/clock_flags/0";
        QTest::newRow("empty flag kind") << "kind" << "/clock_flags/0/kind";
        QTest::newRow("gpu_mhz not a number") << "type" << "/curves/0/points/0/gpu_mhz";
    }
    void strictReader() {
        QFETCH(QString, edit);
        QFETCH(QString, error);
        Profile p = profile_with(3, [](int, CurvePoint& pt) { pt.gpu_mhz = 1300.5; });
        p.clock_flags = {{"throttled", "x"}};
        nlohmann::json doc = to_json(p);
        if (edit == "point") doc["curves"][0]["points"][0]["gpu_clock"] = 1;
        if (edit == "flag") doc["clock_flags"][0]["points"] = 3;
        if (edit == "kind") doc["clock_flags"][0]["kind"] = "";
        if (edit == "type") doc["curves"][0]["points"][0]["gpu_mhz"] = "fast";
        try {
            profile_from_json(doc);
            QFAIL("accepted");
        } catch (const FormatError& e) {
            QVERIFY2(QString(e.what()).contains(error), e.what());
        }
    }

    // lock-clocks / unlock-clocks on this machine through the fake sudo.
    void control_data() {
        QTest::addColumn<bool>("sudoAllowed");
        QTest::addColumn<QString>("action");
        QTest::addColumn<QString>("code");
        QTest::newRow("lock with a NOPASSWD rule") << true << "lock" << "";
        QTest::newRow("lock, sudo wants a password") << false << "lock" << "permission";
        QTest::newRow("unlock with nothing stored") << true << "unlock" << "nothing_stored";
    }
    void control() {
        QFETCH(bool, sudoAllowed);
        QFETCH(QString, action);
        QFETCH(QString, code);
        JetsonFixture f;
        f.applyToThisProcess();
        f.setUnlocked(612000000);
        f.allowSudo(sudoAllowed);
        const std::string root = f.root().toStdString();
        const auto act = action == "lock" ? jetson::ClockAction::Lock : jetson::ClockAction::Unlock;
        if (!code.isEmpty()) {
            try {
                jetson::control_clocks(act, root);
                QFAIL("no error");
            } catch (const jetson::ClockControlError& e) {
                QCOMPARE(QString::fromStdString(e.code), code);
                if (code == "permission") {
                    const QString expected = "needs permission: add this sudoers rule: " +
                                             QString::fromLocal8Bit(getpwuid(geteuid())->pw_name) +
                                             " ALL=(root) NOPASSWD: " + JetsonFixture::fakeBin() + "/jetson_clocks";
                    QVERIFY2(QString(e.what()).startsWith(expected), e.what());
                    QVERIFY2(QString(e.what()).contains("sudo: a password is required"), e.what());
                    QVERIFY(f.calls().contains("sudo -n -- " + JetsonFixture::fakeBin() + "/jetson_clocks --store"));
                }
            }
            QCOMPARE(f.read(QString(JetsonFixture::kDevfreq) + "/min_freq"), QString("306000000"));  // untouched
            return;
        }
        const auto locked = jetson::control_clocks(act, root);
        QCOMPARE(locked.after.clocks_text(), std::string("locked at 1300.5 MHz"));
        QVERIFY(QFile::exists(QString::fromStdString(locked.stored_file)));
        QVERIFY(!locked.reused_store);
        const QStringList calls = f.calls().split('\n');
        const int store = calls.indexOf(QRegularExpression("jetson_clocks --store .*")),
                  lock = calls.indexOf("jetson_clocks ");
        QVERIFY2(store >= 0 && lock > store, qPrintable(f.calls()));
        // A second lock keeps the state stored by the first (the board's own, not the locked one).
        const auto again = jetson::control_clocks(act, root);
        QVERIFY(again.reused_store);
        const auto unlocked = jetson::control_clocks(jetson::ClockAction::Unlock, root);
        QCOMPARE(unlocked.after.clocks_text(), std::string("unlocked (nvhost_podgov, 306.0-1300.5 MHz)"));
        QVERIFY(!QFile::exists(QString::fromStdString(locked.stored_file)));
    }

    void notAJetson() {
        JetsonFixture f;
        f.applyToThisProcess();
        QFile::remove(f.path("sys/class/devfreq/17000000.ga10b"));
        try {
            jetson::control_clocks(jetson::ClockAction::Lock, f.root().toStdString());
            QFAIL("no error");
        } catch (const jetson::ClockControlError& e) {
            QCOMPARE(e.code, std::string("not_jetson"));
        }
        QVERIFY(!f.calls().contains("jetson_clocks"));
    }
};

QTEST_GUILESS_MAIN(JetsonBoard)
#include "tst_jetson_board.moc"
