// Issue #25: staircases of the shapes small GPUs and coarse first-pass sweeps give (shape_sets.h):
// dense moderate steps, strided sweeps with a step every few measured points, isolated moderate steps
// on a steep trend, staircases with a residue pattern on top. Recall by height in σ within ±1
// measured point, precision, and the staircase told apart from the residue pattern. bench_steps
// prints the same figures over 400 curves per set; here a smaller seeded sample keeps CI short.
#include <QtTest>

#include <algorithm>

#include "core/steps/step_detector.h"
#include "shape_sets.h"
#include "synthetic_curves.h"

using namespace tp;
using namespace tp::test;

Q_DECLARE_METATYPE(tp::test::Shape)
Q_DECLARE_METATYPE(tp::test::CurveSpec)

namespace {

constexpr unsigned kCurvesPerSet = 60;

CurveSpec stairs(int first, int last, int stride, int every_tokens, double height, double noise) {
    CurveSpec s;
    s.first = first;
    s.last = last;
    s.stride = stride;
    s.noise = noise;
    for (int t = every_tokens; t <= last - 3 * stride; t += every_tokens)
        if (t > first + 2 * stride) s.edges.push_back({t, height});
    return s;
}

}  // namespace

class TestStepsShapes : public QObject {
    Q_OBJECT
private Q_SLOTS:
    // Floors under what bench_steps measures on 400 curves a set (core/steps/README.md). On these 60
    // seeds the detector before issue #25 found 45-62% of the ≥5σ steps of the dense, strided and
    // sloped sets; the one before the tile grid and the long-plateau window (3-5σ: dense 0.78,
    // strided 0.66, sloped 0.71, coexisting 0.62) fails every 3-5σ floor here.
    void shapeSets_data() {
        QTest::addColumn<Shape>("shape");
        QTest::addColumn<double>("minRecall5");   // rising steps ≥ 5σ
        QTest::addColumn<double>("minRecall3");   // rising steps 3-5σ
        QTest::addColumn<double>("minPrecision");
        QTest::newRow("dense: a moderate step every 4-16 tokens") << Shape::Dense << 0.95 << 0.85 << 0.97;
        QTest::newRow("strided: every 2-16 tokens, a step every 3-8 points") << Shape::Strided << 0.95 << 0.85 << 0.97;
        QTest::newRow("sloped: isolated moderate steps on a 1-8 sigma/point trend") << Shape::Sloped << 0.97 << 0.80 << 0.97;
        QTest::newRow("coexisting: steps with fp16 n%8 dips or CPU n%4 on top") << Shape::Coexisting << 0.97 << 0.75 << 0.97;
        QTest::newRow("no steps: ramps, curvature, drift, residue patterns") << Shape::NoSteps << 1.0 << 1.0 << 1.0;
    }
    void shapeSets() {
        QFETCH(Shape, shape);
        QFETCH(double, minRecall5);
        QFETCH(double, minRecall3);
        QFETCH(double, minPrecision);
        ShapeScore score;
        QString misses;
        for (unsigned seed = 1; seed <= kCurvesPerSet; ++seed) {
            const ShapeCurve c = make_shape(shape, seed);
            const StepAnalysis a = detect_steps(c.tokens, c.ms);
            QCOMPARE(int(a.plateaus.size()), int(a.edges.size()) + 1);
            score.add(c, a);
            const ShapeMatch m = match_shape_edges(c, a);
            for (std::size_t k = 0; k < c.edges.size(); ++k)
                if (!m.true_found[k] && c.edges[k].height_sigma >= 5 && misses.size() < 400)
                    misses += QString(" seed %1 at %2 (%3 sigma)").arg(seed).arg(c.tokens[std::size_t(c.edges[k].index)])
                                  .arg(c.edges[k].height_sigma, 0, 'f', 1);
            // Drops are edges of negative jump, never rising steps; a detected edge is one or the other.
            QCOMPARE(a.staircase.rising_steps + a.staircase.drops, int(a.edges.size()));
        }
        const QString figures = QString("recall >=5 sigma %1 (%2/%3), 3-5 sigma %4 (%5/%6), precision %7 (%8/%9);%10")
                                    .arg(score.recall5(), 0, 'f', 3).arg(score.rising_found5()).arg(score.rising5())
                                    .arg(score.recall(1), 0, 'f', 3).arg(score.rising_found[1]).arg(score.rising[1])
                                    .arg(score.precision(), 0, 'f', 3).arg(score.detected_true).arg(score.detected)
                                    .arg(misses);
        if (shape == Shape::NoSteps) {
            QVERIFY2(score.detected <= 1, qPrintable(figures));
        } else {
            QVERIFY2(score.rising5() > 50 && score.rising[1] > 10, qPrintable(figures));
            QVERIFY2(score.recall5() >= minRecall5, qPrintable(figures));
            QVERIFY2(score.recall(1) >= minRecall3, qPrintable(figures));
            QVERIFY2(score.precision() >= minPrecision, qPrintable(figures));
        }
        // A residue pattern put on is found (its period or a multiple); none is reported where none was put.
        QCOMPARE(score.pattern_found, score.pattern_curves);
        // (bench_steps: 2 of 400 dense staircases still come out as a residue pattern.)
        QVERIFY2(score.pattern_false <= 2, qPrintable(QString("%1 curves with a period reported").arg(score.pattern_false)));
    }

    // Moderate steps (3.5σ, normal noise) on fixed seeds: 10 curves a row, recall of the rising steps
    // within one measured point, precision, and the tile grid a regular staircase sits on. The
    // detector before the tile grid, the long-plateau window and the period in measured points found
    // 0.85 / 0.76 / 0.84 / 0 / 0.64 / 0.64 of these steps (rows 1-6).
    void moderateSteps_data() {
        QTest::addColumn<CurveSpec>("spec");
        QTest::addColumn<double>("minRecall");
        QTest::addColumn<int>("tile");  // expected StaircaseFinding::tile_tokens (-1: not checked)
        const double sigma = 0.004, h = 3.5 * sigma;
        {
            CurveSpec s = stairs(2, 400, 1, 8, h, sigma);
            s.slope = 0.0004;
            QTest::newRow("dense: 3.5 sigma every 8 tokens") << s << 0.9 << 8;
        }
        {
            CurveSpec s = stairs(2, 400, 1, 12, h, sigma);
            s.slope = 0.0004;
            QTest::newRow("dense: 3.5 sigma every 12 tokens") << s << 0.9 << 12;
        }
        QTest::newRow("strided /4: 3.5 sigma every 5 points") << stairs(4, 1200, 4, 20, h, sigma) << 0.9 << 20;
        // Steps every 4 points, 32 tokens apart: no token period shows them, a period of 4 measured
        // points does (without it no step was found up to 7σ: the σ read 1.5x high and the slope
        // took the staircase for a ramp).
        QTest::newRow("strided /8: 3.5 sigma every 4 points") << stairs(8, 2400, 8, 32, h, sigma) << 0.85 << 32;
        {
            CurveSpec s = stairs(2, 400, 1, 50, h, sigma);
            s.slope = 4 * sigma;  // 4σ per token
            QTest::newRow("isolated: 3.5 sigma every 50 tokens on a 4 sigma/token trend") << s << 0.75 << -1;
        }
        {
            CurveSpec s = stairs(2, 400, 1, 50, h, sigma);
            s.slope = 0.0008;
            s.period = 8;
            s.residue_effect = {-0.03, 0, 0, 0, 0, 0, 0, 0};
            QTest::newRow("isolated: 3.5 sigma every 50 tokens under fp16 n%8 dips") << s << 0.75 << -1;
        }
        {
            CurveSpec s = stairs(2, 400, 1, 1000, h, sigma);
            s.slope = 4 * sigma;
            QTest::newRow("no steps: a 4 sigma/token trend") << s << 1.0 << 0;
        }
        {
            CurveSpec s = stairs(2, 400, 1, 1000, h, sigma);
            s.slope = 0.001;
            s.curvature = 0.00001;
            QTest::newRow("no steps: a curved ramp") << s << 1.0 << 0;
        }
    }
    void moderateSteps() {
        QFETCH(CurveSpec, spec);
        QFETCH(double, minRecall);
        QFETCH(int, tile);
        int steps = 0, found = 0, detected = 0, matched = 0, tiles = 0;
        QString where;
        for (unsigned seed = 1; seed <= 10; ++seed) {
            CurveSpec s = spec;
            s.seed = seed;
            const SyntheticCurve c = make_curve(s);
            const StepAnalysis a = detect_steps(c.tokens, c.ms);
            for (const auto& truth : s.edges) {
                ++steps;
                bool hit = false;
                for (const Edge& e : a.edges) hit = hit || (e.jump_ms > 0 && std::abs(e.tokens - truth.tokens) <= s.stride);
                found += hit;
            }
            for (const Edge& e : a.edges) {
                ++detected;
                bool hit = false;
                for (const auto& truth : s.edges) hit = hit || std::abs(e.tokens - truth.tokens) <= s.stride;
                matched += hit;
                if (!hit && where.size() < 300) where += QString(" seed %1 at %2").arg(seed).arg(e.tokens);
            }
            tiles += tile < 0 || a.staircase.tile_tokens == tile;
        }
        const QString figures = QString("recall %1 (%2/%3), %4 false edges:%5").arg(steps ? double(found) / steps : 1.0, 0, 'f', 3)
                                    .arg(found).arg(steps).arg(detected - matched).arg(where);
        QVERIFY2(found >= minRecall * steps, qPrintable(figures));
        if (steps == 0) QVERIFY2(detected <= 1, qPrintable(figures));  // over 10 curves
        else QVERIFY2(matched >= 0.95 * detected, qPrintable(figures));
        QVERIFY2(tiles >= 9, qPrintable(QString("tile %1 on %2 of 10 curves").arg(tile).arg(tiles)));
    }

    // The staircase and the residue pattern, told apart and reported both.
    void staircaseOrPattern_data() {
        QTest::addColumn<CurveSpec>("spec");
        QTest::addColumn<int>("period");        // residue pattern expected (0: none)
        QTest::addColumn<bool>("staircase");    // rising steps expected (all of them found)
        {
            // A coarse sweep every 4 tokens, a 6σ step every 16 tokens (4 measured points): the old
            // detector saw a period-16 pattern and divided the steps out.
            CurveSpec s = stairs(4, 400, 4, 16, 0.018, 0.003);
            QTest::newRow("strided staircase: steps, no residue pattern") << s << 0 << true;
        }
        {
            CurveSpec s = stairs(2, 300, 1, 8, 0.02, 0.003);
            s.slope = 0.0005;
            QTest::newRow("dense staircase every 8 tokens: steps, no residue pattern") << s << 0 << true;
        }
        {
            CurveSpec s = stairs(2, 197, 1, 40, 0.04, 0.002);
            s.period = 8;
            s.residue_effect = {-0.02, 0, 0, 0, 0, 0, 0, 0};
            QTest::newRow("fp16 dips at n%8 on real steps: both") << s << 8 << true;
        }
        {
            CurveSpec s = stairs(2, 197, 1, 48, 0.15, 0.003);
            s.slope = 0.003;
            s.period = 4;
            s.residue_effect = {-0.05, 0, 0, 0.05};
            QTest::newRow("CPU n%4 on real steps: both") << s << 4 << true;
        }
        {
            CurveSpec s;
            s.slope = 0.004;
            s.noise = 0.004;
            s.period = 4;
            s.residue_effect = {-0.06, 0, 0, 0.07};
            QTest::newRow("CPU n%4 on a ramp: pattern, no staircase") << s << 4 << false;
        }
        {
            // Period 2 whose fall within the period is far steeper than the trend: the level comes back.
            CurveSpec s;
            s.slope = 0.002;
            s.noise = 0.005;
            s.period = 2;
            s.residue_effect = {0, 0.05};
            QTest::newRow("slow odd counts: pattern, not a staircase of period 2") << s << 2 << false;
        }
    }
    void staircaseOrPattern() {
        QFETCH(CurveSpec, spec);
        QFETCH(int, period);
        QFETCH(bool, staircase);
        int seenAsPeriod = 0;
        for (unsigned seed = 1; seed <= 5; ++seed) {
            CurveSpec s = spec;
            s.seed = seed;
            const SyntheticCurve c = make_curve(s);
            const StepAnalysis a = detect_steps(c.tokens, c.ms);
            QVERIFY2(a.period.found == (period > 0), qPrintable(QString("seed %1: period %2").arg(seed).arg(a.period.period)));
            if (!a.period.found && a.staircase.seen_as_period > 0) ++seenAsPeriod;
            if (period > 0) QCOMPARE(a.period.period, period);
            QCOMPARE(a.staircase.found, staircase);
            int found = 0;
            for (const auto& truth : s.edges)
                for (const Edge& e : a.edges)
                    if (e.jump_ms > 0 && std::abs(e.tokens - truth.tokens) <= s.stride) { ++found; break; }
            QVERIFY2(found >= int(s.edges.size()) - 1,
                     qPrintable(QString("seed %1: %2 of %3 steps").arg(seed).arg(found).arg(s.edges.size())));
            QVERIFY2(a.staircase.rising_steps <= int(s.edges.size()) + 1, qPrintable(QString::number(a.staircase.rising_steps)));
            if (!staircase) QVERIFY(a.edges.empty());
        }
        // The strided staircase is the case the residue analysis sees as a period: it says so.
        if (QByteArray(QTest::currentDataTag()).startsWith("strided")) QVERIFY(seenAsPeriod > 0);
    }

    // Persistent drops (kernel switches) are edges with a negative jump and single-point outliers are
    // no edges at all: a curve with only those has no rising step, on a flat and on a steep trend.
    void dropsAndOutliersAreNeverSteps_data() {
        QTest::addColumn<double>("slope");
        QTest::newRow("flat") << 0.0;
        QTest::newRow("steep (2 sigma per token)") << 0.01;
    }
    void dropsAndOutliersAreNeverSteps() {
        QFETCH(double, slope);
        int rising = 0, drops_found = 0, drops = 0;
        for (unsigned seed = 1; seed <= 20; ++seed) {
            CurveSpec s;
            s.seed = seed;
            s.first = 2;
            s.last = 400;
            s.noise = 0.005;
            s.slope = slope;
            s.spikes = 8;
            s.edges = {{100, -0.04}, {220, -0.03}, {330, -0.05}};
            const SyntheticCurve c = make_curve(s);
            const StepAnalysis a = detect_steps(c.tokens, c.ms);
            rising += a.staircase.rising_steps;
            drops += int(s.edges.size());
            for (const auto& truth : s.edges)
                for (const Edge& e : a.edges)
                    if (e.jump_ms < 0 && std::abs(e.tokens - truth.tokens) <= 1) { ++drops_found; break; }
        }
        QCOMPARE(rising, 0);
        QCOMPARE(drops_found, drops);
    }
};

QTEST_GUILESS_MAIN(TestStepsShapes)
#include "tst_steps_shapes.moc"
