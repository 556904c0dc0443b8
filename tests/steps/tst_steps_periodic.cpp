// The periodic finding: latency depending on the token count modulo a small period, separate from
// the edges (CPU: n%4 under/over the trend; fp16 GPU: single-point dips at n%8 == 0).
#include <QtTest>

#include <algorithm>

#include "core/steps/step_detector.h"
#include "synthetic_curves.h"

using namespace tp;
using namespace tp::test;

Q_DECLARE_METATYPE(tp::test::CurveSpec)
Q_DECLARE_METATYPE(std::vector<int>)

namespace {
CurveSpec periodic(int period, std::vector<double> effect, double noise, double slope = 0.002) {
    CurveSpec s;
    s.period = period;
    s.residue_effect = std::move(effect);
    s.noise = noise;
    s.slope = slope;
    return s;
}
}  // namespace

class TestStepsPeriodic : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void periods_data() {
        QTest::addColumn<CurveSpec>("spec");
        QTest::addColumn<int>("period");           // 0: none expected
        QTest::addColumn<std::vector<int>>("fast");
        QTest::addColumn<std::vector<int>>("slow");
        QTest::addColumn<double>("fastPct");
        QTest::addColumn<double>("slowPct");
        QTest::addColumn<int>("edges");

        QTest::newRow("CPU 1 thread: n%4==0 -6%, n%4==3 +7%")
            << periodic(4, {-0.06, 0, 0, 0.07}, 0.004) << 4 << std::vector<int>{0} << std::vector<int>{3} << -6.0 << 7.0 << 0;
        QTest::newRow("fp16 GPU: single-point dips at n%8==0")
            << periodic(8, {-0.03, 0, 0, 0, 0, 0, 0, 0}, 0.003, 0.0005) << 8 << std::vector<int>{0} << std::vector<int>{}
            << -3.0 << 0.0 << 0;
        {
            std::vector<double> e(16, 0.0);
            e[0] = -0.3; e[8] = -0.2; e[15] = 0.4; e[7] = 0.25;
            QTest::newRow("CPU 2 threads: period 16, 20-40% swings")
                << periodic(16, e, 0.01) << 16 << std::vector<int>{0, 8} << std::vector<int>{7, 15} << -25.0 << 32.5 << 0;
        }
        {
            CurveSpec s = periodic(4, {-0.06, 0, 0, 0.07}, 0.003);
            s.edges = {{70, 0.2}, {140, 0.2}};
            QTest::newRow("n%4 pattern on a staircase: both findings")
                << s << 4 << std::vector<int>{0} << std::vector<int>{3} << -6.0 << 7.0 << 2;
        }
        {
            // fmnist_vit8's blocks on a 2-core CPU: multiples of 8 run 15% fast, the other multiples
            // of 4 by 4%; 50 counts. Period 4 would average the two.
            CurveSpec s = periodic(8, {-0.15, 0, 0, 0, -0.04, 0, 0, 0}, 0.01, 0.03);
            s.first = 1;
            s.last = 50;
            QTest::newRow("multiples of 8 fast, other multiples of 4 less: period 8, not 4")
                << s << 8 << std::vector<int>{0, 4} << std::vector<int>{} << -9.5 << 0.0 << 0;
        }
        QTest::newRow("plain noise: no period") << periodic(0, {}, 0.01) << 0 << std::vector<int>{} << std::vector<int>{}
                                                << 0.0 << 0.0 << 0;
        {
            CurveSpec s = periodic(0, {}, 0.004);
            s.edges = {{40, 0.05}, {80, 0.05}, {120, 0.05}, {160, 0.05}};
            QTest::newRow("regular staircase every 40: no period") << s << 0 << std::vector<int>{} << std::vector<int>{}
                                                                  << 0.0 << 0.0 << 4;
        }
        QTest::newRow("effect below the noise: no period")
            << periodic(4, {-0.001, 0, 0, 0.001}, 0.02) << 0 << std::vector<int>{} << std::vector<int>{} << 0.0 << 0.0 << 0;
    }
    void periods() {
        QFETCH(CurveSpec, spec);
        QFETCH(int, period);
        QFETCH(std::vector<int>, fast);
        QFETCH(std::vector<int>, slow);
        QFETCH(double, fastPct);
        QFETCH(double, slowPct);
        QFETCH(int, edges);
        for (unsigned seed = 1; seed <= 5; ++seed) {
            CurveSpec s = spec;
            s.seed = seed;
            const SyntheticCurve c = make_curve(s);
            const StepAnalysis a = detect_steps(c.tokens, c.ms);
            const PeriodicFinding& f = a.period;
            QCOMPARE(int(a.edges.size()), edges);
            QVERIFY2(f.found == (period > 0), qPrintable(QString("seed %1: found period %2").arg(seed).arg(f.period)));
            if (!f.found) continue;
            QCOMPARE(f.period, period);
            QCOMPARE(f.fast_residues, fast);
            QCOMPARE(f.slow_residues, slow);
            QCOMPARE(int(f.residue_effect_pct.size()), period);
            if (!fast.empty()) QVERIFY2(std::abs(f.fast_pct - fastPct) < std::max(1.5, 0.1 * std::abs(fastPct)), qPrintable(QString::number(f.fast_pct)));
            if (!slow.empty()) QVERIFY2(std::abs(f.slow_pct - slowPct) < std::max(1.5, 0.1 * std::abs(slowPct)), qPrintable(QString::number(f.slow_pct)));
            QVERIFY(f.confidence >= 5);
        }
    }

    // Half the counts 5% slower: which half is "the trend" is a matter of taste, the contrast is not.
    void periodTwo() {
        const SyntheticCurve c = make_curve(periodic(2, {0, 0.05}, 0.005));
        const PeriodicFinding f = detect_steps(c.tokens, c.ms).period;
        QVERIFY(f.found);
        QCOMPARE(f.period, 2);
        const double contrast = f.residue_effect_pct[1] - f.residue_effect_pct[0];
        QVERIFY2(std::abs(contrast - 5.0) < 1.0, qPrintable(QString::number(contrast)));
    }

    void periodicDipsAreNeverEdges() {
        // Deep n%8 dips (10%) on a flat curve: a finding, not 24 pairs of edges.
        CurveSpec s = periodic(8, {-0.10, 0, 0, 0, 0, 0, 0, 0}, 0.003, 0);
        const SyntheticCurve c = make_curve(s);
        const StepAnalysis a = detect_steps(c.tokens, c.ms);
        QVERIFY(a.edges.empty());
        QVERIFY(a.period.found);
        QCOMPARE(a.period.period, 8);
    }

    void canBeSwitchedOff() {
        const SyntheticCurve c = make_curve(periodic(4, {-0.06, 0, 0, 0.07}, 0.004));
        StepSettings s;
        s.detect_period = false;
        QVERIFY(!detect_steps(c.tokens, c.ms, s).period.found);
    }
};

QTEST_GUILESS_MAIN(TestStepsPeriodic)
#include "tst_steps_periodic.moc"
