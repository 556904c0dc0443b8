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
        s.model = small_vit_model();
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

    // Issue 26: the prediction for a split is its anchor (the unpruned model's measured top-1 there)
    // minus the predicted drop; the record's anchors first, then the card next to the file; with no
    // anchor for the split, the holdout's, labelled.
    void predictsForTheSplitAskedFor_data() {
        QTest::addColumn<QString>("split");          // "" = the default
        QTest::addColumn<QString>("recordAnchors");  // splits anchored in the calibration record
        QTest::addColumn<QString>("cardAnchors");    // splits anchored in the card next to it
        QTest::addColumn<double>("level");
        QTest::addColumn<bool>("fallback");
        QTest::addColumn<QString>("stderrHas");
        QTest::newRow("test split") << "test" << "test,holdout" << "" << 0.80 << false << "";
        QTest::newRow("default is the test split") << "" << "test,holdout" << "" << 0.80 << false << "";
        QTest::newRow("holdout split") << "holdout" << "test,holdout" << "" << 0.91 << false << "";
        QTest::newRow("test anchor from the card") << "test" << "" << "test" << 0.78 << false << "";
        QTest::newRow("no test anchor: the holdout's, labelled") << "test" << "holdout" << "" << 0.91 << true
                                                                 << "no measured anchor for test: using the holdout's";
    }
    void predictsForTheSplitAskedFor() {
        QFETCH(QString, split);
        QFETCH(QString, recordAnchors);
        QFETCH(QString, cardAnchors);
        QFETCH(double, level);
        QFETCH(bool, fallback);
        QFETCH(QString, stderrHas);
        auto anchors = [](const QString& splits, double test) { return fixture_anchors(splits.toStdString(), test); };
        QTemporaryDir dir;
        const QString cal_path = dir.filePath("fixture_vit.accuracy-calibration.json"), schedule_path = dir.filePath("s.json");
        AccuracyCalibration cal = synthetic_calibration("pomt", Truth{}, 2000, 4);
        cal.anchors = anchors(recordAnchors, 0.80);
        save_accuracy_calibration(cal, cal_path.toStdString());
        if (!cardAnchors.isEmpty()) {
            QFile card(dir.filePath("fixture_vit.card.json"));
            QVERIFY(card.open(QIODevice::WriteOnly));
            card.write(QByteArray::fromStdString(
                nlohmann::json{{"format", "tailprune-model-card"}, {"anchors", anchors_to_json(anchors(cardAnchors, 0.78))}}.dump()));
        }
        Schedule s;
        s.model = small_vit_model();
        s.name = "cli";
        s.method = "pomt";
        s.tokens_after_block = tokens_from_points(8, 50, {{1, 20}, {4, 12}});
        save_schedule(s, schedule_path.toStdString());
        QStringList args{"predict-accuracy", "--model", "fixture_vit", "--schedule", schedule_path, "--calibration", cal_path, "--json"};
        if (!split.isEmpty()) args << "--split" << split;
        CliResult r = runCli(args);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        auto doc = nlohmann::json::parse(r.out.toStdString());
        const double drop = AccuracyModel::fit(cal, "pomt").predict(s.tokens_after_block).top1.drop;
        QVERIFY(drop > 0.01);
        QVERIFY2(std::abs(doc["top1"].get<double>() - (level - drop)) < 1e-9, r.out.toUtf8().constData());
        QVERIFY(std::abs(doc["top1_drop"].get<double>() - drop) < 1e-9);
        QCOMPARE(doc["split"].get<std::string>(), split.isEmpty() ? std::string("test") : split.toStdString());
        QCOMPARE(doc["anchor"]["fallback"].get<bool>(), fallback);
        QCOMPARE(doc["anchor"]["top1"].get<double>(), level);
        if (!stderrHas.isEmpty()) QVERIFY2(r.err.contains(stderrHas), qPrintable(r.err));
        else QVERIFY2(r.err.isEmpty(), qPrintable(r.err));
    }

    void badSplitIsOneClearError() {
        QTemporaryDir dir;
        const QString cal_path = dir.filePath("cal.json"), schedule_path = dir.filePath("s.json");
        save_accuracy_calibration(synthetic_calibration("pomt", Truth{}, 2000, 4), cal_path.toStdString());
        Schedule s;
        s.model = small_vit_model();
        s.name = "cli";
        s.method = "pomt";
        s.tokens_after_block = tokens_from_points(8, 50, {{1, 20}});
        save_schedule(s, schedule_path.toStdString());
        CliResult r = runCli({"predict-accuracy", "--model", "fixture_vit", "--schedule", schedule_path, "--calibration",
                              cal_path, "--split", "validation"});
        QVERIFY(r.exitCode != 0);
        QVERIFY2(r.err.contains("--split"), qPrintable(r.err));
    }
};

QTEST_GUILESS_MAIN(TestAccuracyCli)
#include "tst_accuracy_cli.moc"
