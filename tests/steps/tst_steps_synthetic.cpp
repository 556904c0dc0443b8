// Step detection on seeded synthetic staircases with known edges (methods.md §6): every edge whose
// jump is at least 5× the noise is found within ±1 token, and no-step curves give (almost) no edges.
#include <QtTest>

#include "core/steps/step_detector.h"
#include "edge_matching.h"
#include "synthetic_curves.h"

using namespace tp;
using namespace tp::test;

Q_DECLARE_METATYPE(tp::test::CurveSpec)

namespace {

constexpr int kSeedsPerRow = 8;

CurveSpec staircase(int first, int last, std::vector<TrueEdge> edges, double noise) {
    CurveSpec s;
    s.first = first;
    s.last = last;
    s.edges = std::move(edges);
    s.noise = noise;
    return s;
}

std::vector<TrueEdge> regular_edges(int first, int last, int every, double height) {
    std::vector<TrueEdge> e;
    for (int t = first + every; t <= last - 4; t += every) e.push_back({t, height});
    return e;
}

}  // namespace

class TestStepsSynthetic : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void staircases_data() {
        QTest::addColumn<CurveSpec>("spec");
        QTest::addColumn<bool>("randomEdges");   // draw fresh edges per seed
        QTest::addColumn<double>("minRelHeight");

        QTest::newRow("regular 3% steps every 32, noise 0.5%")
            << staircase(2, 197, regular_edges(2, 197, 32, 0.03), 0.005) << false << 0.01;
        QTest::newRow("regular 1.5% steps every 16, noise 0.2%")
            << staircase(2, 197, regular_edges(2, 197, 16, 0.015), 0.002) << false << 0.01;
        QTest::newRow("irregular 2-30% steps, noise 0.3%") << staircase(2, 197, {}, 0.003) << true << 0.01;
        QTest::newRow("small 0.5% steps, noise 0.1%, floor 0.3%")
            << staircase(2, 197, regular_edges(2, 197, 24, 0.005), 0.001) << false << 0.003;
        QTest::newRow("tall 30% steps, noise 3%")
            << staircase(2, 197, regular_edges(2, 197, 40, 0.30), 0.03) << false << 0.01;
        QTest::newRow("15-30% steps in 3% noise") << [] { auto s = staircase(2, 197, {}, 0.03); s.seed = 0; return s; }()
                                                 << true << 0.01;
        {
            CurveSpec s = staircase(2, 197, regular_edges(2, 197, 30, 0.05), 0.004);
            s.slope = 0.003;
            QTest::newRow("sloped plateaus (0.3%/token) with 5% steps") << s << false << 0.01;
        }
        {
            CurveSpec s = staircase(2, 197, regular_edges(2, 197, 30, 0.06), 0.004);
            s.slope = 0.001;
            s.curvature = 0.00002;
            QTest::newRow("curved plateaus (attention n²) with 6% steps") << s << false << 0.01;
        }
        {
            CurveSpec s = staircase(2, 197, regular_edges(2, 197, 28, 0.04), 0.004);
            s.spikes = 8;
            QTest::newRow("spikes and dips among 4% steps") << s << false << 0.01;
        }
        {
            CurveSpec s = staircase(2, 197, regular_edges(2, 197, 36, 0.03), 0.002);
            s.period = 8;
            s.residue_effect = {-0.03, 0, 0, 0, 0, 0, 0, 0};
            QTest::newRow("fp16 dips at n%8==0 among 3% steps") << s << false << 0.01;
        }
        {
            CurveSpec s = staircase(2, 197, regular_edges(2, 197, 48, 0.20), 0.003);
            s.period = 4;
            s.residue_effect = {-0.06, 0, 0, 0.07};
            QTest::newRow("CPU n%4 pattern with 20% steps") << s << false << 0.01;
        }
        {
            CurveSpec s = staircase(2, 197, regular_edges(2, 197, 32, 0.04), 0.003);
            s.drift = 0.02;
            QTest::newRow("2% drift with 4% steps") << s << false << 0.01;
        }
        {
            CurveSpec s = staircase(1, 600, {}, 0.004);
            s.stride = 8;
            s.edges = regular_edges(1, 600, 100, 0.08);
            QTest::newRow("sparse grid every 8 tokens, 8% steps") << s << false << 0.01;
        }
        {
            CurveSpec s = staircase(1, 600, {}, 0.003);
            s.stride = 4;
            s.irregular_grid = true;
            QTest::newRow("irregular sparse grid, random steps") << s << true << 0.01;
        }
        {
            CurveSpec s = staircase(2, 197, {{70, 0.05}, {110, -0.04}, {150, 0.06}}, 0.004);
            QTest::newRow("kernel-switch drops") << s << false << 0.01;
        }
        {
            CurveSpec s = staircase(1, 600, regular_edges(1, 600, 64, 0.025), 0.003);
            s.slope = 0.0005;
            QTest::newRow("600 points, 2.5% tile steps every 64") << s << false << 0.01;
        }
    }
    void staircases() {
        QFETCH(CurveSpec, spec);
        QFETCH(bool, randomEdges);
        QFETCH(double, minRelHeight);
        int eligible = 0, found = 0, false_edges = 0;
        for (int k = 0; k < kSeedsPerRow; ++k) {
            CurveSpec s = spec;
            s.seed = 1000u + unsigned(k);
            if (randomEdges) {
                const bool noisy = spec.noise >= 0.02;
                s.edges = random_edges(s.seed, s.first, s.last, noisy ? 4 : 6, (s.last - s.first) / 12,
                                       noisy ? 0.15 : 0.02, 0.30);
            }
            const SyntheticCurve c = make_curve(s);
            StepSettings settings;
            settings.min_rel_height = minRelHeight;
            const StepAnalysis a = detect_steps(c.tokens, c.ms, settings);
            const EdgeScore score = score_edges(a, s, c, minRelHeight);
            eligible += score.eligible;
            found += score.found_eligible;
            false_edges += score.false_positive;
            QString detected;
            for (const auto& e : a.edges) detected += QString(" %1(%2%)").arg(e.tokens).arg(e.height_pct, 0, 'f', 1);
            QString missed;
            for (int t : score.missed) missed += QString(" %1").arg(t);
            QVERIFY2(score.missed.empty(),
                     qPrintable(QString("seed %1 missed%2; detected%3").arg(s.seed).arg(missed, detected)));
            QVERIFY2(score.false_positive <= 1,
                     qPrintable(QString("seed %1: %2 false edges; detected%3").arg(s.seed).arg(score.false_positive).arg(detected)));
            QCOMPARE(int(a.plateaus.size()), int(a.edges.size()) + 1);
        }
        QVERIFY(eligible > 0);
        QVERIFY2(false_edges <= 1, qPrintable(QString("%1 false edges over %2 seeds").arg(false_edges).arg(kSeedsPerRow)));
    }

    void noStepCurves_data() {
        QTest::addColumn<int>("kind");
        QTest::newRow("flat") << 0;
        QTest::newRow("linear ramp") << 1;
        QTest::newRow("curved ramp (n²)") << 2;
        QTest::newRow("drift") << 3;
        QTest::newRow("spikes and dips") << 4;
        QTest::newRow("periodic single-point dips n%8") << 5;
        QTest::newRow("CPU n%4 residue pattern") << 6;
        QTest::newRow("sparse grid ramp") << 7;
    }
    // 100 seeded curves of each kind without any edge: at most one false edge in all of them.
    void noStepCurves() {
        QFETCH(int, kind);
        int false_edges = 0;
        QString where;
        for (unsigned seed = 1; seed <= 100; ++seed) {
            std::mt19937 rng(seed);
            CurveSpec s;
            s.seed = seed;
            s.noise = std::uniform_real_distribution<double>(0.002, 0.03)(rng);
            s.first = 2;
            s.last = seed % 3 == 0 ? 600 : 197;
            switch (kind) {
            case 1: s.slope = 0.004; break;
            case 2: s.slope = 0.001; s.curvature = 0.00003; break;
            case 3: s.drift = 0.03; break;
            case 4: s.spikes = 6; break;
            case 5: s.period = 8; s.residue_effect = {-0.04, 0, 0, 0, 0, 0, 0, 0}; s.noise = std::min(s.noise, 0.008); break;
            case 6: s.period = 4; s.residue_effect = {-0.06, 0, 0, 0.07}; s.slope = 0.004; break;
            case 7: s.stride = 8; s.last = 600; s.slope = 0.003; break;
            default: break;
            }
            const SyntheticCurve c = make_curve(s);
            const StepAnalysis a = detect_steps(c.tokens, c.ms);
            false_edges += int(a.edges.size());
            for (const auto& e : a.edges) where += QString(" seed %1 at %2 (%3%)").arg(seed).arg(e.tokens).arg(e.height_pct, 0, 'f', 2);
        }
        QVERIFY2(false_edges <= 1, qPrintable(QString("%1 false edges:%2").arg(false_edges).arg(where)));
    }
};

QTEST_GUILESS_MAIN(TestStepsSynthetic)
#include "tst_steps_synthetic.moc"
