// The adaptive stopping rule: each criterion ends a point in the situation it is meant for.
#include <QtTest>

#include <random>

#include "core/agent/stopping_rule.h"

using namespace tp::agent;

namespace {
StoppingConfig config(int min_samples, double min_time, double target, double timeout, int max_samples = 100000) {
    StoppingConfig c;
    c.rule.min_samples = min_samples;
    c.rule.min_time_s = min_time;
    c.rule.target_rel_noise = target;
    c.rule.timeout_s = timeout;
    c.max_samples = max_samples;
    return c;
}
}  // namespace

class TestAgentStopping : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void criteria_data() {
        QTest::addColumn<int>("minSamples");
        QTest::addColumn<double>("minTime");
        QTest::addColumn<double>("target");
        QTest::addColumn<double>("timeout");
        QTest::addColumn<int>("maxSamples");
        QTest::addColumn<double>("relSpread");   // of the simulated samples (normal)
        QTest::addColumn<QString>("reason");
        QTest::addColumn<int>("atLeast");        // samples taken before stopping
        QTest::addColumn<int>("atMost");
        // 1 ms samples. Quiet: 0.1% spread meets 1% after the 10 minimum samples.
        QTest::newRow("quiet meets the target") << 10 << 0.0 << 0.01 << 15.0 << 100000 << 0.001 << "noise" << 10 << 10;
        // Minimum time dominates the minimum sample count: 50 ms of 1 ms samples.
        QTest::newRow("minimum time first") << 10 << 0.05 << 0.01 << 15.0 << 100000 << 0.001 << "noise" << 49 << 51;
        // 20% spread and a 0.1% target: the spread settles long before n reaches ~10^5.
        QTest::newRow("noisy settles") << 10 << 0.02 << 0.001 << 15.0 << 100000 << 0.2 << "settled" << 40 << 5000;
        // Same but the timeout (0.1 s = 100 samples) comes before the spread can settle.
        QTest::newRow("timeout") << 10 << 0.09 << 0.0001 << 0.1 << 100000 << 0.2 << "timeout" << 95 << 106;
        QTest::newRow("sample cap") << 10 << 0.0 << 0.0001 << 15.0 << 30 << 0.2 << "samples" << 30 << 30;
    }
    void criteria() {
        QFETCH(int, minSamples);
        QFETCH(double, minTime);
        QFETCH(double, target);
        QFETCH(double, timeout);
        QFETCH(int, maxSamples);
        QFETCH(double, relSpread);
        QFETCH(QString, reason);
        QFETCH(int, atLeast);
        QFETCH(int, atMost);
        StoppingConfig c = config(minSamples, minTime, target, timeout, maxSamples);
        c.settle_window = 16;
        AdaptiveStopper stopper(c);
        std::mt19937 rng(7);
        std::normal_distribution<double> noise(1e-3, 1e-3 * relSpread);
        std::optional<StopReason> stop;
        while (!stop && stopper.samples().size() < 1000000) stop = stopper.add(std::max(1e-6, noise(rng)));
        QVERIFY(stop);
        QCOMPARE(QString::fromStdString(to_string(*stop)), reason);
        int n = static_cast<int>(stopper.samples().size());
        QVERIFY2(n >= atLeast && n <= atMost, qPrintable(QString("stopped after %1 samples").arg(n)));
    }

    void noStopBeforeMinimums() {
        AdaptiveStopper stopper(config(20, 0, 0.5, 100));
        for (int i = 0; i < 19; ++i) QVERIFY(!stopper.add(1e-3));
        QCOMPARE(to_string(*stopper.add(1e-3)), std::string("noise"));
    }

    void timeCriteriaCountTheCostOfASample() {
        // A 10 µs op timed inside a 1 ms forward: the 20 ms minimum is 20 forwards, not 2000.
        AdaptiveStopper stopper(config(5, 0.02, 0.5, 100));
        std::optional<StopReason> stop;
        int n = 0;
        while (!stop && n < 100000) {
            stop = stopper.add(1e-5, 1e-3);
            ++n;
        }
        QVERIFY(n >= 19 && n <= 21);
        QCOMPARE(to_string(*stop), std::string("noise"));
    }

    void halfWidthShrinksWithSamples() {
        AdaptiveStopper stopper(config(1000, 0, 1e-9, 100));
        std::mt19937 rng(3);
        std::normal_distribution<double> noise(1e-3, 1e-5);
        for (int i = 0; i < 100; ++i) stopper.add(noise(rng));
        double at100 = stopper.rel_half_width();
        for (int i = 0; i < 300; ++i) stopper.add(noise(rng));
        double at400 = stopper.rel_half_width();
        QVERIFY2(at400 < 0.7 * at100, qPrintable(QString("%1 vs %2").arg(at400).arg(at100)));
        QVERIFY(std::abs(stopper.rel_spread() - 0.01) < 0.002);
    }

    void weakerReason_data() {
        QTest::addColumn<int>("a");
        QTest::addColumn<int>("b");
        QTest::addColumn<int>("expected");
        QTest::newRow("noise vs timeout") << int(StopReason::Noise) << int(StopReason::Timeout) << int(StopReason::Timeout);
        QTest::newRow("settled vs noise") << int(StopReason::Settled) << int(StopReason::Noise) << int(StopReason::Settled);
        QTest::newRow("cancel wins") << int(StopReason::Timeout) << int(StopReason::Cancelled) << int(StopReason::Cancelled);
    }
    void weakerReason() {
        QFETCH(int, a);
        QFETCH(int, b);
        QFETCH(int, expected);
        QCOMPARE(int(weaker(StopReason(a), StopReason(b))), expected);
        QCOMPARE(int(weaker(StopReason(b), StopReason(a))), expected);
    }
};

QTEST_APPLESS_MAIN(TestAgentStopping)
#include "tst_agent_stopping.moc"
