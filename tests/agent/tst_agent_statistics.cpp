// Robust statistics of latency samples and the interval across rounds.
#include <QtTest>

#include <cmath>

#include "core/agent/point_builder.h"
#include "core/agent/statistics.h"

using namespace tp::agent;

class TestAgentStatistics : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void quantiles_data() {
        QTest::addColumn<QVector<double>>("values");
        QTest::addColumn<double>("q");
        QTest::addColumn<double>("expected");
        QTest::newRow("median odd") << QVector<double>{3, 1, 2} << 0.5 << 2.0;
        QTest::newRow("median even interpolates") << QVector<double>{4, 1, 2, 3} << 0.5 << 2.5;
        QTest::newRow("p10 of 0..10") << QVector<double>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10} << 0.1 << 1.0;
        QTest::newRow("p90 between order stats") << QVector<double>{0, 10} << 0.9 << 9.0;
        QTest::newRow("single value") << QVector<double>{7} << 0.1 << 7.0;
        QTest::newRow("empty") << QVector<double>{} << 0.5 << 0.0;
    }
    void quantiles() {
        QFETCH(QVector<double>, values);
        QFETCH(double, q);
        QFETCH(double, expected);
        std::vector<double> v(values.begin(), values.end());
        std::sort(v.begin(), v.end());
        QCOMPARE(quantile_sorted(v, q), expected);
    }

    void summaryOfKnownSet() {
        SampleSummary s = summarize({5, 1, 4, 2, 3, 100});
        QCOMPARE(s.count, 6);
        QCOMPARE(s.median, 3.5);
        QCOMPARE(s.min, 1.0);
        QCOMPARE(s.max, 100.0);
        QCOMPARE(s.mean, 115.0 / 6);
        // |x - 3.5| = 1.5 2.5 0.5 1.5 0.5 96.5 -> median 1.5: the outlier does not move it.
        QCOMPARE(s.mad, 1.5);
        QVERIFY(s.stddev > 30);
    }

    void robustSpreadIgnoresOutliers_data() {
        QTest::addColumn<QVector<double>>("values");
        QTest::addColumn<double>("expected");
        QTest::newRow("constant") << QVector<double>{2, 2, 2, 2} << 0.0;
        QTest::newRow("symmetric") << QVector<double>{9, 10, 11} << 1.4826 / 10;
        QTest::newRow("one huge outlier") << QVector<double>{9, 10, 11, 1000} << 1.4826 * 1.0 / 10.5;
        QTest::newRow("single sample") << QVector<double>{3} << 0.0;
    }
    void robustSpreadIgnoresOutliers() {
        QFETCH(QVector<double>, values);
        QFETCH(double, expected);
        QVERIFY(std::abs(robust_rel_spread(std::vector<double>(values.begin(), values.end())) - expected) < 1e-12);
    }

    void studentT_data() {
        QTest::addColumn<int>("dof");
        QTest::addColumn<double>("expected");
        QTest::newRow("1") << 1 << 12.706;
        QTest::newRow("2") << 2 << 4.303;
        QTest::newRow("10") << 10 << 2.228;
        QTest::newRow("60 (approximation)") << 60 << 2.000;
        QTest::newRow("1000") << 1000 << 1.962;
    }
    void studentT() {
        QFETCH(int, dof);
        QFETCH(double, expected);
        QVERIFY2(std::abs(student_t_975(dof) - expected) < 0.003, qPrintable(QString::number(student_t_975(dof))));
    }

    void intervalAcrossRoundsUsesRoundMedians() {
        // Rounds 9, 10, 11: mean 10, sd 1, t(2) = 4.303 -> half-width 4.303 / sqrt(3).
        RoundInterval r = interval_across_rounds({9, 10, 11}, {});
        QCOMPARE(r.rounds, 3);
        QCOMPARE(r.center, 10.0);
        QVERIFY(std::abs(r.half_width - 4.303 / std::sqrt(3.0)) < 1e-9);
        QVERIFY(std::abs(r.rel_half_width - r.half_width / 10) < 1e-12);
    }

    void intervalWithOneRoundFallsBackToSamples() {
        std::vector<double> samples;
        for (int i = 0; i < 100; ++i) samples.push_back(10 + (i % 3 - 1) * 0.1);  // 9.9 10 10.1
        RoundInterval r = interval_across_rounds({10}, samples);
        double expected = median_rel_half_width(robust_rel_spread(samples), 100);
        QVERIFY(expected > 0);
        QVERIFY(std::abs(r.rel_half_width - expected) < 1e-12);
    }

    void identicalRoundsHaveZeroWidth() { QCOMPARE(interval_across_rounds({4, 4, 4}, {}).half_width, 0.0); }

    void pointCombinesRounds() {
        RoundResult a{{1.0, 1.1, 1.2}, StopReason::Noise, 1, std::nullopt, std::nullopt, std::nullopt, 2000.0};
        RoundResult b{{1.3, 1.4}, StopReason::Timeout, 2, std::nullopt, std::nullopt, std::nullopt, 3000.0};
        tp::CurvePoint p = build_point(42, {a, b});
        QCOMPARE(p.tokens, 42);
        QCOMPARE(p.samples, 5);
        QCOMPARE(p.median_ms, 1.2);
        QCOMPARE(p.min_ms, 1.0);
        QCOMPARE(p.discarded, 3);
        QCOMPARE(QString::fromStdString(p.stop_reason), QString("timeout"));  // the weaker round
        QCOMPARE(*p.cpu_mhz, 2500.0);
        QVERIFY(!p.sm_clock_mhz);
        QCOMPARE(p.raw_ms.size(), std::size_t(5));
        QVERIFY(p.p10_ms <= p.median_ms && p.median_ms <= p.p90_ms);
        // Round medians 1.1 and 1.35: t(1) * sd / sqrt(2) relative to 1.225.
        double sd = std::sqrt(2 * 0.125 * 0.125);
        QVERIFY(std::abs(p.rel_noise - 12.706 * sd / std::sqrt(2.0) / 1.225) < 1e-3);
    }

    void rawSamplesAreCapped() {
        RoundResult r;
        for (int i = 0; i < 1000; ++i) r.samples_ms.push_back(1 + i * 1e-3);
        tp::CurvePoint p = build_point(1, {r});
        QCOMPARE(p.raw_ms.size(), tp::CurvePoint::kMaxRawSamples);
        QCOMPARE(p.raw_ms.front(), 1.0);
        QVERIFY(p.raw_ms.back() > 1.9);  // spread over the whole run, not the first 32
    }

    void collectorFinishesAfterAllRounds() {
        PointCollector c(3);
        RoundResult r{{1.0}, StopReason::Noise, 0, {}, {}, {}, {}};
        QVERIFY(!c.add(0, 10, r));
        QVERIFY(!c.add(1, 10, r));  // another curve, same tokens: kept apart
        QVERIFY(!c.add(0, 10, r));
        QCOMPARE(c.pending(), 2);
        auto p = c.add(0, 10, r);
        QVERIFY(p);
        QCOMPARE(p->samples, 3);
        QCOMPARE(c.pending(), 1);
    }
};

QTEST_APPLESS_MAIN(TestAgentStatistics)
#include "tst_agent_statistics.moc"
