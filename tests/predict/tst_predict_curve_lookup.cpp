// Curve tables never interpolate across a detected edge: between measured counts they use the
// plateau on the correct side, and in an edge's gap the higher level.
#include <QtTest>

#include "core/predict/curve_lookup.h"
#include "predict_fixtures.h"

using namespace tp;
using namespace tp::test;

namespace {

Plateau plateau(int first, int last, double intercept, double slope = 0) {
    Plateau p;
    p.first_tokens = first;
    p.last_tokens = last;
    p.intercept_ms = intercept;
    p.slope_ms_per_token = slope;
    return p;
}

// A curve measured every 10 tokens from 10 to 100 whose analysis has one edge between 40 and 50.
struct TwoPlateaus {
    Curve curve;
    StepAnalysis steps;
};
TwoPlateaus two_plateaus(double low, double high, double slope) {
    TwoPlateaus f;
    f.curve = curve_of(scope(ScopeKind::Block, 0), 10, 100, 10,
                       [&](int n) { return (n <= 40 ? low : high) + slope * n; });
    f.steps.plateaus = {plateau(10, 40, low, slope), plateau(50, 100, high, slope)};
    Edge e;
    e.tokens = 50;
    e.last_before = 40;
    e.level_before_ms = low + slope * 40;
    e.level_after_ms = high + slope * 50;
    f.steps.edges = {e};
    return f;
}

}  // namespace

class TestPredictCurveLookup : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void neverInterpolatesAcrossAnEdge_data() {
        QTest::addColumn<double>("low");
        QTest::addColumn<double>("high");
        QTest::addColumn<double>("slope");
        QTest::addColumn<int>("tokens");
        QTest::addColumn<double>("expected");
        QTest::addColumn<int>("source");
        const int plateau_src = int(LookupSource::Plateau), gap = int(LookupSource::EdgeGap);
        QTest::newRow("rise: inside lower plateau between measured") << 1.0 << 2.0 << 0.0 << 35 << 1.0 << plateau_src;
        QTest::newRow("rise: inside upper plateau between measured") << 1.0 << 2.0 << 0.0 << 73 << 2.0 << plateau_src;
        QTest::newRow("rise: gap just above last_before") << 1.0 << 2.0 << 0.0 << 41 << 2.0 << gap;
        QTest::newRow("rise: gap just below the edge") << 1.0 << 2.0 << 0.0 << 49 << 2.0 << gap;
        QTest::newRow("rise: last count before the edge") << 1.0 << 2.0 << 0.0 << 40 << 1.0 << plateau_src;
        QTest::newRow("rise: first count after the edge") << 1.0 << 2.0 << 0.0 << 50 << 2.0 << plateau_src;
        QTest::newRow("drop: gap takes the higher (lower-token) level") << 3.0 << 2.0 << 0.0 << 45 << 3.0 << gap;
        QTest::newRow("drop: inside the lower level") << 3.0 << 2.0 << 0.0 << 55 << 2.0 << plateau_src;
        QTest::newRow("sloped: plateau line, not the chord") << 1.0 << 2.0 << 0.01 << 35 << 1.35 << plateau_src;
        QTest::newRow("sloped: gap uses each side's line") << 1.0 << 2.0 << 0.01 << 45 << 2.45 << gap;
    }
    void neverInterpolatesAcrossAnEdge() {
        QFETCH(double, low);
        QFETCH(double, high);
        QFETCH(double, slope);
        QFETCH(int, tokens);
        QFETCH(double, expected);
        QFETCH(int, source);
        TwoPlateaus f = two_plateaus(low, high, slope);
        CurveLookup lookup(f.curve, f.steps, 120);
        QCOMPARE(lookup.at(tokens), expected);
        QCOMPARE(int(lookup.source_at(tokens)), source);
    }

    void outsideTheMeasuredRangeExtendsTheNearestPlateau_data() {
        QTest::addColumn<int>("tokens");
        QTest::addColumn<double>("expected");
        QTest::newRow("below first measured") << 5 << 1.05;
        QTest::newRow("above last measured") << 110 << 3.1;
        QTest::newRow("clamped above max_tokens") << 500 << 3.2;
        QTest::newRow("clamped below one") << -3 << 1.01;
    }
    void outsideTheMeasuredRangeExtendsTheNearestPlateau() {
        QFETCH(int, tokens);
        QFETCH(double, expected);
        TwoPlateaus f = two_plateaus(1.0, 2.0, 0.01);
        CurveLookup lookup(f.curve, f.steps, 120);
        QVERIFY(qFuzzyCompare(lookup.at(tokens), expected));
        if (tokens > 0 && tokens < 10) QCOMPARE(lookup.source_at(tokens), LookupSource::Extrapolated);
    }

    void periodicResidueIsApplied_data() {
        QTest::addColumn<int>("tokens");
        QTest::addColumn<double>("expected");
        QTest::newRow("n%4==0 runs 6% under the trend") << 48 << 0.94;
        QTest::newRow("n%4==3 runs 7% over the trend") << 47 << 1.07;
        QTest::newRow("n%4==1 on the trend") << 49 << 1.0;
    }
    void periodicResidueIsApplied() {
        QFETCH(int, tokens);
        QFETCH(double, expected);
        Curve c = curve_of(scope(ScopeKind::Block, 0), 1, 50, 1, [](int) { return 1.0; });
        StepAnalysis a;
        a.plateaus = {plateau(1, 50, 1.0)};
        a.period.found = true;
        a.period.period = 4;
        a.period.residue_effect_pct = {-6.0, 0.0, 0.0, 7.0};
        CurveLookup lookup(c, a, 50);
        QVERIFY(qFuzzyCompare(lookup.at(tokens), expected));
    }

    void withoutAnalysisInterpolatesBetweenMeasuredMedians() {
        Curve c = curve_of(scope(ScopeKind::Block, 0), 10, 30, 10, [](int n) { return n / 10.0; });
        CurveLookup lookup(c, StepAnalysis{}, 40);
        QVERIFY(qFuzzyCompare(lookup.at(15), 1.5));
        QCOMPARE(lookup.source_at(15), LookupSource::Interpolated);
        QVERIFY(qFuzzyCompare(lookup.at(20), 2.0));
        QVERIFY(qFuzzyCompare(lookup.at(35), 3.0));
        QCOMPARE(lookup.source_at(35), LookupSource::Extrapolated);
    }
};

QTEST_GUILESS_MAIN(TestPredictCurveLookup)
#include "tst_predict_curve_lookup.moc"
