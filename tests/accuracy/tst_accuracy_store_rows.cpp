// Calibration evaluations survive the trip through the store's calibration rows (one row per
// metric), and rows of other subsets or models are not mixed in.
#include <QtTest>

#include "accuracy_fixtures.h"
#include "core/accuracy/accuracy_model.h"
#include "core/store/accuracy_rows.h"
#include "core/model/schedule_json.h"
#include "tests/cli/cli_runner.h"

#include <nlohmann/json.hpp>

using namespace tp;
using namespace tp::test;

class TestAccuracyStoreRows : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void roundTripThroughAStore() {
        QTemporaryDir dir;
        AccuracyCalibration cal = synthetic_calibration("pomt", Truth{}, 500, 9);
        cal.evaluations.resize(12);
        {
            auto db = store::Store::open(dir.filePath("s.sqlite").toStdString(), store::Mode::Create);
            for (const auto& e : cal.evaluations)
                for (const auto& row : to_store_rows(cal, e, "2026-01-01T00:00:00Z")) db.add_calibration(row);
            AccuracyCalibration other = cal;  // another subset: must not be mixed in
            other.subset.seed = 10;
            for (const auto& row : to_store_rows(other, cal.evaluations[3], "2026-01-01T00:00:00Z")) db.add_calibration(row);
        }
        auto db = store::Store::open(dir.filePath("s.sqlite").toStdString(), store::Mode::ReadOnly);
        AccuracyCalibration back = from_store_rows(db.list_calibrations(cal.model.name), cal.model, cal.subset);
        QCOMPARE(back.evaluations.size(), cal.evaluations.size());
        for (const auto& e : cal.evaluations) {
            const AccuracyEvaluation* found = back.find(e.method, e.tokens_after_block);
            QVERIFY(found);
            QCOMPARE(found->top1, e.top1);
            QCOMPARE(found->top5, e.top5);
            QCOMPARE(found->images, e.images);
        }
    }

    // A stored subset label is input from others too: only labels AccuracySubset::label() writes are
    // read back; the rest are refused, never an exception from std::stoi or a wrapped number.
    void subsetLabels_data() {
        QTest::addColumn<QString>("label");
        QTest::addColumn<bool>("valid");
        QTest::newRow("written by label()") << "fashion-mnist/holdout/2000@seed1" << true;
        QTest::newRow("largest seed") << "d/s/1@seed18446744073709551615" << true;
        QTest::newRow("seed past uint64") << "d/s/1@seed18446744073709551616" << false;
        QTest::newRow("size past int") << "d/s/4294967297@seed1" << false;
        QTest::newRow("size not a number") << "fashion-mnist/holdout/x@seed1" << false;
        QTest::newRow("leading zero") << "d/s/020@seed1" << false;
        QTest::newRow("no seed") << "d/s/20" << false;
        QTest::newRow("empty seed") << "d/s/20@seed" << false;
        QTest::newRow("one slash") << "d/20@seed1" << false;
        QTest::newRow("empty") << "" << false;
    }
    void subsetLabels() {
        QFETCH(QString, label);
        QFETCH(bool, valid);
        const std::optional<AccuracySubset> subset = subset_from_label(label.toStdString());
        QCOMPARE(subset.has_value(), valid);
        if (valid) QCOMPARE(QString::fromStdString(subset->label()), label);
    }

    void predictAccuracyReadsTheStore() {
        QTemporaryDir dir;
        const QString db_path = dir.filePath("s.sqlite"), schedule_path = dir.filePath("s.json");
        AccuracyCalibration cal = synthetic_calibration("pomt", Truth{}, 2000, 4);
        {
            auto db = store::Store::open(db_path.toStdString(), store::Mode::Create);
            for (const auto& e : cal.evaluations)
                for (const auto& row : to_store_rows(cal, e, "2026-01-01T00:00:00Z")) db.add_calibration(row);
        }
        Schedule s;
        s.model = small_vit_model();
        s.name = "cli";
        s.method = "pomt";
        s.tokens_after_block = tokens_from_points(8, 50, {{2, 25}});
        save_schedule(s, schedule_path.toStdString());
        CliResult r = runCli({"predict-accuracy", "--model", "fixture_vit", "--schedule", schedule_path, "--store", db_path, "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        auto doc = nlohmann::json::parse(r.out.toStdString());
        QVERIFY(std::abs(doc["top1"].get<double>() - AccuracyModel::fit(cal, "pomt").predict_top1(s.tokens_after_block)) < 1e-12);
        r = runCli({"predict-accuracy", "--model", "other", "--schedule", schedule_path, "--store", db_path});
        QVERIFY(r.exitCode != 0);
        QVERIFY2(r.err.contains("no accuracy calibration of model 'other'"), qPrintable(r.err));
    }
};

QTEST_GUILESS_MAIN(TestAccuracyStoreRows)
#include "tst_accuracy_store_rows.moc"
