// The predictor with the real step detector on noisy staircase curves (seeded): schedules one token
// apart across a true edge get a predicted difference of the edge's sign, and one-token moves inside
// a plateau predict far less than an edge — the unit analogue of the bench's edge-pair test.
#include <QtTest>

#include <random>

#include "core/steps/step_detector.h"
#include "predict_fixtures.h"

using namespace tp;
using namespace tp::test;

namespace {

// Every block: level 1.0 ms + slope, rising 8% at 17 and 33 tokens, falling 5% at 41 (a kernel
// switch), with `noise` relative Gaussian noise.
double staircase(int n) {
    double level = 1.0 + 0.002 * n;
    if (n >= 17) level *= 1.08;
    if (n >= 33) level *= 1.08;
    if (n >= 41) level *= 0.95;
    return level;
}

Profile noisy_profile(double noise, unsigned seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<double> z(0.0, 1.0);
    Profile p;
    p.model = small_vit_model(8, 50);
    for (int b = 0; b < 8; ++b) {
        p.curves.push_back(curve_of(scope(ScopeKind::Block, b), 1, 50, 1, [&](int n) { return staircase(n) * (1 + noise * z(rng)); }));
        p.curves.push_back(curve_of(scope(ScopeKind::Attention, b), 1, 50, 1, [&](int n) { return 0.4 * staircase(n) * (1 + noise * z(rng)); }));
        p.curves.push_back(curve_of(scope(ScopeKind::Mlp, b), 1, 50, 1, [&](int n) { return 0.6 * staircase(n) * (1 + noise * z(rng)); }));
    }
    return p;
}

}  // namespace

class TestPredictWithDetector : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void edgePairsHaveTheEdgesSign_data() {
        QTest::addColumn<double>("noise");
        QTest::addColumn<unsigned>("seed");
        QTest::newRow("0.5% noise") << 0.005 << 1u;
        QTest::newRow("1% noise") << 0.01 << 2u;
        QTest::newRow("1% noise, other seed") << 0.01 << 3u;
    }
    void edgePairsHaveTheEdgesSign() {
        QFETCH(double, noise);
        QFETCH(unsigned, seed);
        LatencyPredictor predictor(noisy_profile(noise, seed), [](const Curve& c) { return detect_steps(c); });
        struct Pair { int below, above; double sign; };
        for (int cut : {0, 2, 5})
            for (Pair e : {Pair{16, 17, +1}, Pair{32, 33, +1}, Pair{40, 41, -1}}) {
                double lo = predictor.predict_ms(tokens_from_points(8, 50, {{cut, e.below}}), "none");
                double hi = predictor.predict_ms(tokens_from_points(8, 50, {{cut, e.above}}), "none");
                QVERIFY2((hi - lo) * e.sign > 0, qPrintable(QString("cut %1 at %2|%3: %4 vs %5").arg(cut).arg(e.below).arg(e.above).arg(lo).arg(hi)));
            }
        // Inside a plateau a one-token move costs about the slope, far below an edge's ~8%.
        double a = predictor.predict_ms(tokens_from_points(8, 50, {{2, 24}}), "none");
        double b = predictor.predict_ms(tokens_from_points(8, 50, {{2, 25}}), "none");
        double edge = predictor.predict_ms(tokens_from_points(8, 50, {{2, 17}}), "none") -
                      predictor.predict_ms(tokens_from_points(8, 50, {{2, 16}}), "none");
        QVERIFY2(std::abs(b - a) < edge / 3, qPrintable(QString("%1 vs edge %2").arg(b - a).arg(edge)));
    }
};

QTEST_GUILESS_MAIN(TestPredictWithDetector)
#include "tst_predict_with_detector.moc"
