// The latency band comes from measured prediction errors: order statistics of measured/predicted − 1
// over a calibration record, a documented default before calibration, and a strict record format.
#include <QtTest>

#include "core/util/format_error.h"
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
        LatencyPrediction p = predictor.predict(unpruned_schedule(small_vit_model()));
        QVERIFY(std::abs(p.low_ms - p.latency_ms * (1 + low)) < 1e-9);
        QVERIFY(std::abs(p.high_ms - p.latency_ms * (1 + high)) < 1e-9);
    }

    // Method corrections: what end-to-end measurements of a method's schedules add per pruning
    // point, robust to a slow round and to a slow schedule.
    void methodCorrectionFromMeasurements_data() {
        QTest::addColumn<QString>("method");
        QTest::addColumn<double>("extraPerCut");   // ms the measurements add per pruning point
        QTest::addColumn<int>("schedules");
        QTest::addColumn<bool>("slowRound");       // every schedule also measured 1.5x slower in a second round
        QTest::addColumn<bool>("slowSchedule");    // one schedule measured 2x slower in every round
        QTest::addColumn<double>("expected");      // fitted ms per pruning point
        QTest::newRow("one cut and two cuts, 0.1 ms each") << "zerotprune" << 0.1 << 6 << false << false << 0.1;
        QTest::newRow("a slow round is ignored (fastest round)") << "zerotprune" << 0.1 << 6 << true << false << 0.1;
        QTest::newRow("one slow schedule is outvoted (median)") << "pomt" << 0.05 << 7 << false << true << 0.05;
        QTest::newRow("faster than predicted: negative") << "random" << -0.02 << 5 << false << false << -0.02;
        QTest::newRow("too few schedules: none") << "topk" << 0.1 << 2 << false << false << 0.0;
    }
    void methodCorrectionFromMeasurements() {
        QFETCH(QString, method);
        QFETCH(double, extraPerCut);
        QFETCH(int, schedules);
        QFETCH(bool, slowRound);
        QFETCH(bool, slowSchedule);
        QFETCH(double, expected);
        LatencyPredictor predictor(linear_profile(), pointwise_analysis);
        std::vector<MeasuredSchedule> entries;
        for (int i = 0; i < schedules; ++i) {
            MeasuredSchedule m;
            m.method = method.toStdString();
            const int first = 45 - i, second = 30 - i;
            m.tokens_after_block = i % 2 ? std::vector<int>{50, 50, first, first, first, first, first, first}
                                         : std::vector<int>{50, 50, first, first, second, second, second, second};
            const int cuts = i % 2 ? 1 : 2;
            m.measured_ms = predictor.predict_ms(m.tokens_after_block, m.method) + extraPerCut * cuts;
            if (slowSchedule && i == 0) m.measured_ms *= 2;
            m.round = 1;
            entries.push_back(m);
            if (slowRound) {
                m.measured_ms *= 1.5;
                m.round = 2;
                entries.push_back(m);
            }
        }
        const auto corrections = fit_method_corrections(predictor, entries);
        const auto it = corrections.find(method.toStdString());
        QCOMPARE(it != corrections.end(), expected != 0.0);
        if (it == corrections.end()) return;
        QVERIFY2(std::abs(it->second.ms_per_cut - expected) < 1e-9, qPrintable(QString::number(it->second.ms_per_cut)));

        // Applied, the predictions meet the measurements and the breakdown shows the term.
        apply_latency_calibration(predictor, entries);
        const auto& m = entries.back();
        const double fast = predictor.predict_ms(m.tokens_after_block, m.method);
        const LatencyPrediction p = predictor.breakdown(m.tokens_after_block, m.method);
        QVERIFY(std::abs(p.latency_ms - fast) < 1e-12);
        const bool has_term = std::any_of(p.terms.begin(), p.terms.end(), [](const LatencyTerm& t) { return t.kind == "method"; });
        QVERIFY(has_term);
        // Unpruned schedules carry no correction.
        QVERIFY(std::abs(predictor.unpruned_ms() - predictor.predict_ms(std::vector<int>(8, 50), m.method)) < 1e-12);
    }

    // A host running a few percent faster or slower than on the profile's day is one level for all
    // methods, not a per-cut correction of each.
    void recordLevelIsOneScaleForAllMethods_data() {
        QTest::addColumn<double>("level");       // round 1: measured = predicted · (1 + level)
        QTest::addColumn<double>("round2");      // a second round at predicted · (1 + round2); 0: none
        QTest::addColumn<int>("schedules");
        QTest::addColumn<double>("expected");
        QTest::newRow("3% slower, 12 schedules") << 0.03 << 0.0 << 12 << 0.03;
        QTest::newRow("4% faster, 12 schedules") << -0.04 << 0.0 << 12 << -0.04;
        QTest::newRow("too few schedules: no level") << 0.03 << 0.0 << 6 << 0.0;
        // Two ordinary rounds count at their median: the faster of two noisy rounds would bias the
        // level down by half their disagreement.
        QTest::newRow("two rounds 4% apart: their median") << 0.01 << 0.05 << 12 << 0.03;
        // A slow spell (a round more than 15% slower) is the host, not the schedule: the fastest round.
        QTest::newRow("a slow spell in round 2: the fastest round") << 0.03 << 0.60 << 12 << 0.03;
    }
    void recordLevelIsOneScaleForAllMethods() {
        QFETCH(double, level);
        QFETCH(double, round2);
        QFETCH(int, schedules);
        QFETCH(double, expected);
        LatencyPredictor predictor(linear_profile(), pointwise_analysis);
        const std::vector<std::string> methods = {"random", "pomt", "zerotprune"};
        std::vector<MeasuredSchedule> entries;
        for (int i = 0; i < schedules; ++i) {
            MeasuredSchedule m;
            m.method = methods[static_cast<std::size_t>(i) % methods.size()];
            const int kept = 45 - i;
            m.tokens_after_block = {50, 50, 50, kept, kept, kept, kept - 5, kept - 5};
            const double predicted = predictor.predict_ms(m.tokens_after_block, m.method);
            m.measured_ms = predicted * (1 + level);
            m.round = 1;
            entries.push_back(m);
            if (round2 != 0) {
                m.measured_ms = predicted * (1 + round2);
                m.round = 2;
                entries.push_back(m);
            }
        }
        QVERIFY2(std::abs(fit_record_scale(predictor, entries) - expected) < 1e-9,
                 qPrintable(QString::number(fit_record_scale(predictor, entries))));
        if (round2 != 0) return;
        apply_latency_calibration(predictor, entries);
        for (const auto& [method, c] : predictor.method_corrections())
            QVERIFY2(std::abs(c.ms_per_cut) < 1e-9, qPrintable(QString::fromStdString(method)));
        for (const auto& e : entries)
            QVERIFY(std::abs(predictor.predict_ms(e.tokens_after_block, e.method) - e.measured_ms * (1 + expected) / (1 + level)) < 1e-9);
    }

    // A correction learned from noise is worse than none: a median within two standard errors of
    // zero is not applied (five noisy schedules once taught a method ±0.5 ms per cut).
    void noisyCorrectionsAreNotLearned() {
        LatencyPredictor predictor(linear_profile(), pointwise_analysis);
        std::vector<MeasuredSchedule> entries;
        const double noise[] = {-0.04, 0.05, -0.03, 0.015, 0.06, -0.05, 0.02, -0.01, 0.04, -0.06, 0.03, -0.02};
        for (int i = 0; i < 12; ++i) {
            MeasuredSchedule m;
            m.method = "topk";
            const int kept = 45 - i;
            m.tokens_after_block = {50, 50, 50, kept, kept, kept, kept, kept};
            m.measured_ms = predictor.predict_ms(m.tokens_after_block, m.method) * (1 + noise[i]);
            m.round = 1;
            entries.push_back(m);
        }
        QCOMPARE(fit_record_scale(predictor, entries), 0.0);
        QVERIFY(fit_method_corrections(predictor, entries).empty());
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
