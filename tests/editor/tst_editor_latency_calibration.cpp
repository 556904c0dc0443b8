// A profile's analysis reads the calibration record next to its file as `tailprune predict` does, and
// a bad record never costs the prediction: the default band stays and the reason is shown.
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include "core/analysis/profile_analysis.h"
#include "core/predict/latency_calibration.h"
#include "core/steps/step_detector.h"
#include "editor_fixtures.h"
#include "ui/bundled_profiles.h"
#include "ui/editor/latency_readout.h"

#include <QLabel>

using namespace tp;

namespace {

// Measured = predicted · (1 + error) for varied pruned schedules of the profile's model.
LatencyCalibration record_for(const Profile& profile, int entries, double level) {
    LatencyPredictor predictor(profile, [](const Curve& c) { return detect_steps(c); });
    LatencyCalibration record;
    record.device = profile.device.identity();
    record.model = profile.model.name;
    const int depth = profile.model.depth, n = profile.model.tokens;
    for (int i = 0; i < entries; ++i) {
        std::vector<int> tokens = tokens_from_points(depth, n, {{1 + i % (depth - 2), n - 10 - 3 * i}});
        const double error = level + 0.01 * ((i % 5) - 2);  // level −2% .. level +2%
        record.entries.push_back({"topk", tokens, predictor.predict_ms(tokens, "topk") * (1 + error), 1, ""});
    }
    return record;
}

}  // namespace

class TestEditorLatencyCalibration : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void recordSetsTheBand_data() {
        QTest::addColumn<QString>("record");  // none | good | few | other-device | corrupt
        QTest::addColumn<bool>("calibratedBand");
        QTest::addColumn<bool>("valueMoves");
        QTest::addColumn<QString>("says");
        QTest::newRow("no record") << "none" << false << false << "band: default (no calibration record)";
        QTest::newRow("12 measured schedules") << "good" << true << true << "band calibrated on 12 measured schedules";
        // Too few for the level and the band, enough (3 of the method) for its correction per cut.
        QTest::newRow("too few to calibrate the band") << "few" << false << true << "has 4 measured schedules, 10 needed";
        QTest::newRow("record of another device") << "other-device" << false << false << "calibration record not used";
        QTest::newRow("corrupt record") << "corrupt" << false << false << "calibration record not used";
    }
    void recordSetsTheBand() {
        QFETCH(QString, record);
        QFETCH(bool, calibratedBand);
        QFETCH(bool, valueMoves);
        QFETCH(QString, says);
        const std::shared_ptr<const Profile> profile = test::five_device_profiles().front();
        QTemporaryDir dir;
        const QString path = dir.filePath("device.calibration.json");  // the record of device.json
        if (record == "good" || record == "few" || record == "other-device") {
            LatencyCalibration r = record_for(*profile, record == "few" ? 4 : 12, 0.10);
            if (record == "other-device") r.device = "some other GPU";
            save_latency_calibration(r, path.toStdString());
        } else if (record == "corrupt") {
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("{\"format\": \"tailprune-latency-calibration\", \"entries\": [");
        }
        const ProfileAnalysis analysis(profile, dir.filePath("device.json").toStdString());
        Schedule schedule = unpruned_schedule(profile->model);
        schedule.method = "topk";
        schedule.tokens_after_block = tokens_from_points(profile->model.depth, profile->model.tokens, {{3, 120}});
        const LatencyPrediction p = analysis.predict(schedule);
        const std::string basis = analysis.basis(p);
        QVERIFY2(QString::fromStdString(basis).contains(says), basis.c_str());

        const ProfileAnalysis plain(profile, "");  // a profile without a file: no record
        const LatencyPrediction uncalibrated = plain.predict(schedule);
        const double half = uncalibrated.high_ms / uncalibrated.latency_ms - 1;
        if (valueMoves) {
            // The record measured the host 10% slower than the profile: the level (or, with too few
            // schedules for it, the method's correction per cut) moves the value.
            const double ratio = p.latency_ms / uncalibrated.latency_ms;
            if (calibratedBand) QVERIFY2(std::abs(ratio - 1.10) < 0.011, qPrintable(QString::number(ratio)));
            else QVERIFY2(ratio > 1.02, qPrintable(QString::number(ratio)));
        } else {
            QCOMPARE(p.latency_ms, uncalibrated.latency_ms);
        }
        if (calibratedBand) {
            // The band is the spread of what is left (±2%), not the default.
            const double ms = p.latency_ms;
            QVERIFY2(p.high_ms > ms && p.high_ms / ms - 1 < half, qPrintable(QString::number(p.high_ms / ms - 1)));
            QVERIFY2(p.low_ms < ms && 1 - p.low_ms / ms < half, qPrintable(QString::number(1 - p.low_ms / ms)));
        } else {
            QVERIFY(std::abs(p.high_ms / p.latency_ms - 1 - half) < 1e-9);
            QVERIFY(std::abs(1 - p.low_ms / p.latency_ms - half) < 1e-9);
        }
    }

    // The readout says what the active device's band rests on, under the table.
    void readoutShowsWhatTheBandRestsOn() {
        const std::shared_ptr<const Profile> profile = test::five_device_profiles().front();
        QTemporaryDir dir;
        const QString path = dir.filePath("device.calibration.json");
        save_latency_calibration(record_for(*profile, 12, 0.0), path.toStdString());
        const ProfileAnalysis calibrated(profile, dir.filePath("device.json").toStdString());
        const ProfileAnalysis plain(profile, "");
        ui::LatencyReadout readout;
        std::vector<ui::DeviceLatency> devices(2);
        devices[0].device = "calibrated";
        devices[0].prediction = calibrated.predict(unpruned_schedule(profile->model));
        devices[0].basis = QString::fromStdString(calibrated.basis(*devices[0].prediction));
        devices[1].device = "active, default band";
        devices[1].active = true;
        devices[1].prediction = plain.predict(unpruned_schedule(profile->model));
        devices[1].basis = QString::fromStdString(plain.basis(*devices[1].prediction));
        readout.setDevices(devices);
        const auto* basis = readout.findChild<QLabel*>("latencyBasis");
        QVERIFY(basis);
        QVERIFY2(basis->text().contains("band: default (no calibration record)"), qPrintable(basis->text()));
        devices[0].active = true;
        devices[1].active = false;
        readout.setDevices(devices);
        QVERIFY2(basis->text().contains("band calibrated on 12 measured schedules"), qPrintable(basis->text()));
    }

    void bundledProfilesLeaveOutCalibrationRecords() {
        QTemporaryDir dir;
        for (const char* name : {"a.json", "a.calibration.json", "a.calibration.cpu-amd-epyc-2-cpus-vm-8bb761d1.json",
                                 "b.json.gz", "b.calibration.json.gz"}) {
            QFile f(dir.filePath(name));
            QVERIFY(f.open(QIODevice::WriteOnly));
        }
        qputenv("TAILPRUNE_PROFILES", dir.path().toUtf8());
        const QStringList files = ui::bundled_profile_files();
        qunsetenv("TAILPRUNE_PROFILES");
        QCOMPARE(files, QStringList({dir.filePath("a.json"), dir.filePath("b.json.gz")}));
    }
};

QTEST_MAIN(TestEditorLatencyCalibration)
#include "tst_editor_latency_calibration.moc"
