// One analysis per profile (core/analysis): every curve's steps are those of the step detector at
// the analysis' settings, the predictor predicts from those very steps, and the calibration record
// is the one beside the profile's file.
#include <QTemporaryDir>
#include <QTest>

#include "core/analysis/profile_analysis.h"
#include "core/predict/latency_calibration.h"
#include "core/util/format_error.h"
#include "tests/editor/editor_fixtures.h"

using namespace tp;

namespace {
std::vector<int> edge_tokens(const StepAnalysis& a) {
    std::vector<int> out;
    for (const Edge& e : a.edges) out.push_back(e.tokens);
    return out;
}
}  // namespace

class TestProfileAnalysis : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void oneDetectionAtTheUsersSettings_data() {
        QTest::addColumn<int>("device");
        QTest::addColumn<double>("sensitivity");
        QTest::newRow("tile-32 GPU, default") << 0 << 3.0;
        QTest::newRow("tile-32 GPU, few edges") << 0 << 50.0;
        QTest::newRow("CPU with a period, many edges") << 3 << 0.5;
    }
    void oneDetectionAtTheUsersSettings() {
        QFETCH(int, device);
        QFETCH(double, sensitivity);
        const auto profile = test::five_device_profiles()[std::size_t(device)];
        AnalysisSettings settings;
        settings.steps.sensitivity = sensitivity;
        const ProfileAnalysis analysis(profile, "", settings);
        for (const Curve& c : profile->curves) {
            const StepAnalysis* steps = analysis.steps(c);
            QVERIFY(steps);
            const StepAnalysis direct = detect_steps(c, settings.steps);
            QCOMPARE(edge_tokens(*steps), edge_tokens(direct));
            QCOMPARE(steps->period.found, direct.period.found);
            QCOMPARE(steps->period.period, direct.period.period);
        }
        QVERIFY(!analysis.steps("no such curve"));
        // The predictor stands on the same steps: the same as one built on the detector at these settings.
        QVERIFY(analysis.predictor());
        const LatencyPredictor separate(*profile, [&](const Curve& c) { return detect_steps(c, settings.steps); });
        Schedule s = unpruned_schedule(profile->model);
        s.method = "topk";
        s.tokens_after_block = tokens_from_points(s.depth(), s.input_tokens(), {{3, 131}, {8, 70}});
        const LatencyPrediction p = analysis.predict(s);
        QCOMPARE(p.latency_ms, separate.predict(s).latency_ms);
        QCOMPARE(p.unpruned_ms, separate.unpruned_ms());
        QCOMPARE(int(analysis.unpruned_block_ms().size()), profile->model.depth);
    }

    void calibrationRecordBesideTheFile() {
        const auto profile = test::five_device_profiles().front();
        QTemporaryDir dir;
        const std::string file = dir.filePath("gpu.json").toStdString();
        {
            const ProfileAnalysis none(profile, file);
            QCOMPARE(none.calibration().path, latency_calibration_path(file));
            QVERIFY(!none.calibration().found);
            QCOMPARE(none.calibration().summary, std::string("band: default (no calibration record)"));
        }
        LatencyCalibration record;
        record.device = "another device";
        record.model = profile->model.name;
        save_latency_calibration(record, latency_calibration_path(file));
        const ProfileAnalysis other(profile, file);
        QVERIFY(other.calibration().found);
        QVERIFY(other.calibration().failure);  // another device's record is not applied ...
        QVERIFY2(other.calibration().summary.rfind("calibration record not used: ", 0) == 0, other.calibration().summary.c_str());
        QVERIFY(other.predictor());            // ... and costs nothing else
        // A profile without a file has no record.
        QCOMPARE(ProfileAnalysis(profile, "").calibration().path, std::string());
    }

    void aProfileWithoutModelHasNoPredictor() {
        auto lone = std::make_shared<Profile>();
        lone->curves.push_back(test::five_device_profiles().front()->curves.front());
        const ProfileAnalysis analysis(lone, "");
        QVERIFY(analysis.steps(lone->curves.front()));
        QVERIFY(!analysis.predictor());
        QVERIFY(analysis.predictor_failure());
        QVERIFY_THROWS_EXCEPTION(FormatError, analysis.predict(unpruned_schedule(test::deit_small_model())));
    }
};

QTEST_GUILESS_MAIN(TestProfileAnalysis)
#include "tst_profile_analysis.moc"
