// The latency band comes from measured prediction errors: order statistics of measured/predicted − 1
// over a calibration record, a documented default before calibration, and a strict record format.
#include <QtTest>

#include "core/model/format_error.h"
#include "core/predict/latency_calibration.h"
#include "predict_fixtures.h"

using namespace tp;
using namespace tp::test;

namespace {

// Entries whose measured latency is the prediction times (1 + error).
std::vector<MeasuredSchedule> entries_with_errors(const LatencyPredictor& predictor, const std::vector<double>& errors) {
    std::vector<MeasuredSchedule> out;
    for (std::size_t i = 0; i < errors.size(); ++i) {
        MeasuredSchedule m;
        m.method = "random";
        int kept = 50 - static_cast<int>(i % 40);
        m.tokens_after_block = {50, 50, 50, kept, kept, kept, kept, kept};
        m.measured_ms = predictor.predict_ms(m.tokens_after_block, m.method) * (1.0 + errors[i]);
        out.push_back(m);
    }
    return out;
}

}  // namespace

class TestPredictBand : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void bandFromMeasuredErrors_data() {
        QTest::addColumn<QVector<double>>("errors");
        QTest::addColumn<double>("coverage");
        QTest::addColumn<double>("low");
        QTest::addColumn<double>("high");
        QTest::addColumn<QString>("source");
        QVector<double> nineteen;
        for (int i = 1; i <= 19; ++i) nineteen << (i - 10) / 100.0;  // -9% .. +9%
        // k=19, coverage 0.9: the 1st and 19th order statistics ((19+1)·0.05 = 1, (19+1)·0.95 = 19).
        QTest::newRow("symmetric, 19 entries, 90%") << nineteen << 0.9 << -0.09 << 0.09 << "calibrated";
        // coverage 0.8: the 2nd and 18th.
        QTest::newRow("symmetric, 19 entries, 80%") << nineteen << 0.8 << -0.08 << 0.08 << "calibrated";
        QVector<double> biased;
        for (int i = 1; i <= 19; ++i) biased << 0.02 + i / 1000.0;  // always underpredicts by 2.1..3.9%
        QTest::newRow("biased errors keep the prediction inside") << biased << 0.9 << 0.0 << 0.039 << "calibrated";
        QTest::newRow("too few entries keep the default") << QVector<double>{0.2, -0.2, 0.1} << 0.9 << -0.05 << 0.05 << "default";
    }
    void bandFromMeasuredErrors() {
        QFETCH(QVector<double>, errors);
        QFETCH(double, coverage);
        QFETCH(double, low);
        QFETCH(double, high);
        QFETCH(QString, source);
        LatencyPredictor predictor(linear_profile(), pointwise_analysis);
        auto entries = entries_with_errors(predictor, std::vector<double>(errors.begin(), errors.end()));
        LatencyBand band = calibrate_band(predictor, entries, coverage);
        QVERIFY2(std::abs(band.low_rel - low) < 1e-9, qPrintable(QString::number(band.low_rel)));
        QVERIFY2(std::abs(band.high_rel - high) < 1e-9, qPrintable(QString::number(band.high_rel)));
        QCOMPARE(QString::fromStdString(band.source), source);
        predictor.set_band(band);
        LatencyPrediction p = predictor.predict(unpruned_schedule(fixture_model()));
        QVERIFY(std::abs(p.low_ms - p.latency_ms * (1 + low)) < 1e-9);
        QVERIFY(std::abs(p.high_ms - p.latency_ms * (1 + high)) < 1e-9);
    }

    void defaultBandWidensWithNoisyPoints_data() {
        QTest::addColumn<double>("pointNoise");
        QTest::addColumn<double>("half");
        QTest::newRow("quiet profile: ±5%") << 0.01 << 0.05;
        QTest::newRow("noisy profile: 2× the median point noise") << 0.04 << 0.08;
    }
    void defaultBandWidensWithNoisyPoints() {
        QFETCH(double, pointNoise);
        QFETCH(double, half);
        Profile profile = linear_profile();
        for (auto& c : profile.curves)
            for (auto& p : c.points) p.rel_noise = pointNoise;
        LatencyPredictor predictor(profile, pointwise_analysis);
        QVERIFY(std::abs(predictor.band().high_rel - half) < 1e-12);
        QVERIFY(std::abs(predictor.band().low_rel + half) < 1e-12);
        QCOMPARE(predictor.band().samples, 0);
    }

    void calibrationRecordRoundTrips() {
        LatencyPredictor predictor(linear_profile(), pointwise_analysis);
        LatencyCalibration cal;
        cal.device = "cpu:test@local";
        cal.model = "fixture_vit";
        cal.entries = entries_with_errors(predictor, {0.01, -0.02, 0.03});
        cal.entries[1].round = 2;
        LatencyCalibration back = parse_latency_calibration(latency_calibration_to_text(cal), "mem");
        QCOMPARE(back.device, cal.device);
        QCOMPARE(back.entries.size(), std::size_t(3));
        QCOMPARE(back.entries[1].round, 2);
        QCOMPARE(back.entries[2].tokens_after_block, cal.entries[2].tokens_after_block);
        QCOMPARE(back.entries[0].measured_ms, cal.entries[0].measured_ms);
        QCOMPARE(QString::fromStdString(latency_calibration_path("/a/b/cpu.json")), QString("/a/b/cpu.calibration.json"));
    }

    void badCalibrationRecordNamesTheField_data() {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("expected");
        const QString head = R"({"format":"tailprune-latency-calibration","format_version":1,"entries":[)";
        QTest::newRow("not JSON") << "{oops" << "mem";
        QTest::newRow("wrong format") << R"({"format":"x","format_version":1,"entries":[]})" << "/format";
        QTest::newRow("negative latency") << head + R"({"method":"pomt","tokens_after_block":[5],"measured_ms":-1}]})" << "/entries/0/measured_ms";
        QTest::newRow("unknown method") << head + R"({"method":"magic","tokens_after_block":[5],"measured_ms":1}]})" << "/entries/0/method";
        QTest::newRow("token not an integer") << head + R"({"method":"pomt","tokens_after_block":[5,"a"],"measured_ms":1}]})" << "/entries/0/tokens_after_block/1";
        QTest::newRow("unknown key") << head + R"({"method":"pomt","tokens_after_block":[5],"measured_ms":1,"x":2}]})" << "x";
    }
    void badCalibrationRecordNamesTheField() {
        QFETCH(QString, text);
        QFETCH(QString, expected);
        try {
            parse_latency_calibration(text.toStdString(), "mem");
            QFAIL("accepted a bad record");
        } catch (const FormatError& e) {
            QVERIFY2(QString(e.what()).contains(expected), e.what());
        }
    }
};

QTEST_GUILESS_MAIN(TestPredictBand)
#include "tst_predict_band.moc"
