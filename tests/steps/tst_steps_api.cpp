// The step detector's contract on small exact curves: edges, plateaus, plateau_at,
// one_more_token_below, and bad input.
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <random>
#include <stdexcept>

#include "core/steps/step_detector.h"

using namespace tp;

namespace {

// Exact staircase: level by token count, no noise.
void staircase(std::vector<int>& t, std::vector<double>& y, const std::vector<int>& grid,
               const std::vector<std::pair<int, double>>& levels) {
    t.clear();
    y.clear();
    for (int n : grid) {
        double v = 0;
        for (const auto& [from, level] : levels)
            if (n >= from) v = level;
        t.push_back(n);
        y.push_back(v);
    }
}

std::vector<int> range(int first, int last, int stride = 1) {
    std::vector<int> r;
    for (int n = first; n <= last; n += stride) r.push_back(n);
    return r;
}

}  // namespace

class TestStepsApi : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void exactStaircase() {
        std::vector<int> t;
        std::vector<double> y;
        staircase(t, y, range(2, 60), {{2, 1.0}, {20, 1.2}, {41, 1.1}});
        const StepAnalysis a = detect_steps(t, y);
        QCOMPARE(int(a.edges.size()), 2);
        QCOMPARE(a.edges[0].tokens, 20);
        QCOMPARE(a.edges[0].last_before, 19);
        QVERIFY(std::abs(a.edges[0].height_ms - 0.2) < 1e-9);
        QVERIFY(std::abs(a.edges[0].height_pct - 20) < 1e-6);
        QCOMPARE(a.edges[1].tokens, 41);
        QVERIFY(a.edges[1].height_ms < 0);  // a drop stays a drop
        QCOMPARE(int(a.plateaus.size()), 3);
        QCOMPARE(a.plateaus[1].first_tokens, 20);
        QCOMPARE(a.plateaus[1].last_tokens, 40);
        QCOMPARE(a.plateaus[1].points, 21);
        QVERIFY(std::abs(a.plateaus[1].mean_level_ms() - 1.2) < 1e-9);
    }

    void plateauAt_data() {
        QTest::addColumn<int>("tokens");
        QTest::addColumn<int>("plateauFirst");  // 0: nullptr
        QTest::newRow("below the range") << 1 << 0;
        QTest::newRow("first measured") << 2 << 2;
        QTest::newRow("inside first plateau") << 15 << 2;
        QTest::newRow("last before edge") << 18 << 2;
        QTest::newRow("gap, nearer below") << 19 << 2;
        QTest::newRow("gap, nearer above") << 21 << 22;
        QTest::newRow("gap middle, tie goes to the higher level") << 20 << 22;
        QTest::newRow("edge") << 22 << 22;
        QTest::newRow("last measured") << 50 << 22;
        QTest::newRow("above the range") << 51 << 0;
    }
    void plateauAt() {
        QFETCH(int, tokens);
        QFETCH(int, plateauFirst);
        std::vector<int> grid = range(2, 18);
        for (int n : range(22, 50)) grid.push_back(n);  // sparse gap 19..21
        std::vector<int> t;
        std::vector<double> y;
        staircase(t, y, grid, {{2, 1.0}, {20, 1.5}});
        const StepAnalysis a = detect_steps(t, y);
        QCOMPARE(int(a.edges.size()), 1);
        const Plateau* p = a.plateau_at(tokens);
        if (plateauFirst == 0) {
            QVERIFY(p == nullptr);
        } else {
            QVERIFY(p != nullptr);
            QCOMPARE(p->first_tokens, plateauFirst);
        }
    }

    void oneMoreTokenBelow_data() {
        QTest::addColumn<int>("tokens");
        QTest::addColumn<int>("expected");
        QTest::newRow("first plateau: nothing lower") << 10 << 0;
        QTest::newRow("second plateau -> end of first") << 30 << 24;
        QTest::newRow("on the edge itself") << 25 << 24;
        QTest::newRow("after a drop: skip the taller plateau") << 70 << 24;
        QTest::newRow("top plateau -> end of the drop plateau") << 90 << 80;
        QTest::newRow("outside the range") << 200 << 0;
    }
    void oneMoreTokenBelow() {
        QFETCH(int, tokens);
        QFETCH(int, expected);
        std::vector<int> t;
        std::vector<double> y;
        // 1.0 | 25: 1.3 | 50: 1.2 (drop, still above 1.0) | 81: 1.4
        staircase(t, y, range(2, 100), {{2, 1.0}, {25, 1.3}, {50, 1.2}, {81, 1.4}});
        const StepAnalysis a = detect_steps(t, y);
        QCOMPARE(int(a.edges.size()), 3);
        QCOMPARE(a.one_more_token_below(tokens), expected);
    }

    void slopedPlateausKeepTheirSlope() {
        std::vector<int> t = range(2, 120);
        std::vector<double> y;
        for (int n : t) y.push_back(1.0 + 0.002 * n + (n >= 60 ? 0.1 : 0.0));
        const StepAnalysis a = detect_steps(t, y);
        QCOMPARE(int(a.edges.size()), 1);
        QCOMPARE(a.edges[0].tokens, 60);
        QVERIFY(std::abs(a.plateaus[0].slope_ms_per_token - 0.002) < 1e-9);
        QVERIFY(std::abs(a.edges[0].height_ms - (0.1 + 0.002)) < 1e-9);  // level at 60 minus level at 59
    }

    void higherSensitivityNeverFindsMore() {
        std::mt19937 rng(7);
        std::normal_distribution<double> noise(0, 0.01);
        std::vector<int> t = range(2, 197);
        std::vector<double> y;
        for (int n : t) y.push_back(1.0 + 0.03 * (n / 40) + noise(rng));
        std::size_t previous = 1000;
        for (double c : {0.5, 1.0, 3.0, 10.0, 100.0}) {
            StepSettings s;
            s.sensitivity = c;
            const std::size_t found = detect_steps(t, y, s).edges.size();
            QVERIFY2(found <= previous, qPrintable(QString("sensitivity %1 found %2 > %3").arg(c).arg(found).arg(previous)));
            previous = found;
        }
    }

    void smallInputs_data() {
        QTest::addColumn<int>("points");
        QTest::addColumn<int>("plateaus");
        QTest::newRow("empty") << 0 << 0;
        QTest::newRow("one point") << 1 << 1;
        QTest::newRow("five points: too short to split") << 5 << 1;
    }
    void smallInputs() {
        QFETCH(int, points);
        QFETCH(int, plateaus);
        std::vector<int> t;
        std::vector<double> y;
        for (int i = 0; i < points; ++i) { t.push_back(i + 2); y.push_back(i < 3 ? 1.0 : 2.0); }
        const StepAnalysis a = detect_steps(t, y);
        QCOMPARE(int(a.plateaus.size()), plateaus);
        QVERIFY(a.edges.empty());
        QVERIFY(!a.period.found);
    }

    void unsortedInputIsSorted() {
        std::vector<int> t = range(2, 40);
        std::vector<double> y;
        for (int n : t) y.push_back(n >= 20 ? 2.0 : 1.0);
        std::reverse(t.begin(), t.end());
        std::reverse(y.begin(), y.end());
        const StepAnalysis a = detect_steps(t, y);
        QCOMPARE(int(a.edges.size()), 1);
        QCOMPARE(a.edges[0].tokens, 20);
    }

    void badInput_data() {
        QTest::addColumn<int>("kind");
        QTest::addColumn<QString>("message");
        QTest::newRow("size mismatch") << 0 << "3 token counts but 2 latencies";
        QTest::newRow("duplicate token count") << 1 << "duplicate token count 3";
        QTest::newRow("not finite") << 2 << "not finite";
        QTest::newRow("non-positive token count") << 3 << "must be positive, found 0";
    }
    void badInput() {
        QFETCH(int, kind);
        QFETCH(QString, message);
        std::vector<int> t = {2, 3, 4};
        std::vector<double> y = {1, 1, 1};
        if (kind == 0) y.pop_back();
        if (kind == 1) t[2] = 3;
        if (kind == 2) y[1] = std::nan("");
        if (kind == 3) t[0] = 0;
        try {
            detect_steps(t, y);
            QFAIL("accepted bad input");
        } catch (const std::invalid_argument& e) {
            QVERIFY2(QString(e.what()).contains(message), e.what());
        }
    }
};

QTEST_GUILESS_MAIN(TestStepsApi)
#include "tst_steps_api.moc"
