// Calibration evaluations survive the trip through the store's calibration rows (one row per
// metric), and rows of other subsets or models are not mixed in.
#include <QtTest>

#include "accuracy_fixtures.h"
#include "core/accuracy/store_rows.h"

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
};

QTEST_GUILESS_MAIN(TestAccuracyStoreRows)
#include "tst_accuracy_store_rows.moc"
