// `tailprune predict-accuracy` as a user runs it: the same numbers as the core model on a calibration
// file, and one clear error for a model or method the file does not calibrate.
#include <QtTest>

#include <nlohmann/json.hpp>

#include "accuracy_fixtures.h"
#include "core/accuracy/accuracy_model.h"
#include "core/model/schedule_json.h"
#include "tests/cli/cli_runner.h"

using namespace tp;
using namespace tp::test;

class TestAccuracyCli : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { QVERIFY2(!tailpruneCli().isEmpty(), "TAILPRUNE_CLI is not set (run through ctest)"); }

    void predictAccuracy_data() {
        QTest::addColumn<QString>("model");
        QTest::addColumn<QString>("method");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("errorHas");
        QTest::newRow("calibrated method") << "fixture_vit" << "pomt" << 0 << "";
        QTest::newRow("other model") << "deit_tiny" << "pomt" << 1 << "is for model 'fixture_vit', not 'deit_tiny'";
        QTest::newRow("method not calibrated") << "fixture_vit" << "zerotprune" << 2 << "'zerotprune' is not calibrated";
        QTest::newRow("schedule the method cannot realise") << "fixture_vit" << "tome" << 2 << "block 1";
    }
    void predictAccuracy() {
        QFETCH(QString, model);
        QFETCH(QString, method);
        QFETCH(int, exitCode);
        QFETCH(QString, errorHas);
        QTemporaryDir dir;
        const QString cal_path = dir.filePath("cal.json"), schedule_path = dir.filePath("s.json");
        AccuracyCalibration cal = synthetic_calibration("pomt", Truth{}, 2000, 4);
        save_accuracy_calibration(cal, cal_path.toStdString());
        Schedule s;
        s.model = accuracy_model_info();
        s.name = "cli";
        s.method = "pomt";
        s.tokens_after_block = tokens_from_points(8, 50, {{1, 20}, {4, 12}});
        save_schedule(s, schedule_path.toStdString());

        CliResult r = runCli({"predict-accuracy", "--model", model, "--method", method, "--schedule", schedule_path,
                              "--calibration", cal_path, "--json"});
        QVERIFY2(r.exitCode == exitCode, qPrintable(QString("exit %1: %2").arg(r.exitCode).arg(r.err)));
        if (exitCode != 0) {
            QVERIFY2(r.err.contains(errorHas), qPrintable(r.err));
            QCOMPARE(r.err.count("error:"), 1);
            return;
        }
        auto doc = nlohmann::json::parse(r.out.toStdString());
        AccuracyPrediction expected = AccuracyModel::fit(cal, "pomt").predict(s.tokens_after_block);
        QVERIFY(std::abs(doc["top1"].get<double>() - expected.top1.value) < 1e-12);
        QVERIFY(std::abs(doc["top1_low"].get<double>() - expected.top1.low) < 1e-12);
        QVERIFY(std::abs(doc["top5_high"].get<double>() - expected.top5.high) < 1e-12);
        QVERIFY(doc["top1_low"].get<double>() < doc["top1"].get<double>());
    }
};

QTEST_GUILESS_MAIN(TestAccuracyCli)
#include "tst_accuracy_cli.moc"
