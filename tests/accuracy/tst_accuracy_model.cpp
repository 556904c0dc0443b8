// The accuracy model on synthetic evaluations with known structure: recovery of the truth on
// held-out schedules, monotonicity, the compounding exponent, the band's coverage including the
// subset's sampling error, and clear errors when a method is not calibrated.
#include <QtTest>

#include "accuracy_fixtures.h"
#include "core/accuracy/accuracy_model.h"
#include "core/model/format_error.h"

using namespace tp;
using namespace tp::test;

class TestAccuracyModel : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void recoversTheTruthOnHeldOutSchedules_data() {
        QTest::addColumn<QString>("method");
        QTest::addColumn<double>("gamma");
        QTest::addColumn<double>("maxErrorPp");
        QTest::newRow("pomt, additive truth") << "pomt" << 0.0 << 1.0;
        QTest::newRow("pomt, compounding truth") << "pomt" << 0.3 << 1.5;
        QTest::newRow("random, additive truth") << "random" << 0.0 << 1.0;
    }
    void recoversTheTruthOnHeldOutSchedules() {
        QFETCH(QString, method);
        QFETCH(double, gamma);
        QFETCH(double, maxErrorPp);
        Truth truth;
        truth.gamma = gamma;
        AccuracyModel model = AccuracyModel::fit(synthetic_calibration(method.toStdString(), truth, 0, 7), method.toStdString());
        double worst = 0;
        for (const auto& s : held_out_schedules(50, 99)) worst = std::max(worst, std::abs(model.predict_top1(s) - truth.value(s)));
        QVERIFY2(worst * 100 < maxErrorPp, qPrintable(QString("worst error %1 pp").arg(worst * 100)));
        if (gamma > 0) QVERIFY2(model.report().gamma > 0, qPrintable(QString::number(model.report().gamma)));
    }

    void fewerTokensNeverPredictHigherAccuracy_data() {
        QTest::addColumn<int>("block");
        QTest::newRow("block 0") << 0;
        QTest::newRow("block 3") << 3;
        QTest::newRow("block 6") << 6;
    }
    void fewerTokensNeverPredictHigherAccuracy() {
        QFETCH(int, block);
        AccuracyModel model = AccuracyModel::fit(synthetic_calibration("pomt", Truth{}, 2000, 3), "pomt");
        double previous = 1.0;
        for (int t = 50; t >= 2; --t) {
            double v = model.predict_top1(tokens_from_points(8, 50, {{block, t}}));
            QVERIFY2(v <= previous + 1e-12, qPrintable(QString("t=%1: %2 > %3").arg(t).arg(v).arg(previous)));
            previous = v;
        }
        // The last block's tokens never reach the CLS token: no effect.
        QCOMPARE(model.predict_top1(tokens_from_points(8, 50, {{7, 5}})), model.predict_top1(std::vector<int>(8, 50)));
    }

    void bandCoversTheTruthWithSubsetNoise_data() {
        QTest::addColumn<int>("images");
        QTest::addColumn<std::uint64_t>("seed");
        QTest::newRow("2000 images, seed 11") << 2000 << std::uint64_t(11);
        QTest::newRow("1000 images, seed 12") << 1000 << std::uint64_t(12);
        QTest::newRow("5000 images, seed 13") << 5000 << std::uint64_t(13);
    }
    void bandCoversTheTruthWithSubsetNoise() {
        QFETCH(int, images);
        QFETCH(std::uint64_t, seed);
        AccuracyModel model = AccuracyModel::fit(synthetic_calibration("pomt", Truth{}, images, seed), "pomt");
        int covered = 0, total = 0;
        double subset_se = std::sqrt(0.94 * 0.06 / images);
        for (const auto& s : held_out_schedules(60, seed + 100)) {
            AccuracyPrediction p = model.predict(s);
            QVERIFY(p.top1.low <= p.top1.value && p.top1.value <= p.top1.high);
            QVERIFY(p.top1.se >= subset_se * 0.9);  // the band always carries the subset's sampling error
            double truth = Truth{}.value(s);
            covered += truth >= p.top1.low && truth <= p.top1.high;
            ++total;
        }
        QVERIFY2(covered >= total * 0.85, qPrintable(QString("%1/%2 covered").arg(covered).arg(total)));
    }

    void measurementImagesWidenTheBand() {
        AccuracyModel model = AccuracyModel::fit(synthetic_calibration("pomt", Truth{}, 2000, 5), "pomt");
        auto s = tokens_from_points(8, 50, {{2, 30}});
        AccuracyPrediction population = model.predict(s), measured = model.predict(s, 500);
        QVERIFY(measured.top1.se > population.top1.se);
        QCOMPARE(measured.top1.value, population.top1.value);
    }

    void perBlockDropsSumToTheTotalDrop() {
        AccuracyModel model = AccuracyModel::fit(synthetic_calibration("pomt", Truth{}, 0, 5), "pomt");
        auto s = tokens_from_points(8, 50, {{1, 40}, {4, 20}});
        AccuracyPrediction p = model.predict(s);
        double sum = 0;
        for (double d : p.block_drop) sum += d;
        QVERIFY(std::abs(sum - (model.report().baseline_top1 - p.top1.value)) < 1e-9);
        QCOMPARE(p.block_drop[0], 0.0);
        QVERIFY(p.block_drop[1] > 0 && p.block_drop[5] > 0);
    }

    void extrapolationIsFlaggedAndWidened() {
        AccuracyCalibration cal = synthetic_calibration("tome", Truth{}, 2000, 5);
        AccuracyModel model = AccuracyModel::fit(cal, "tome");
        auto inside = tokens_from_points(8, 50, {{3, 40}});
        auto below = tokens_from_points(8, 50, {{0, 30}, {1, 16}, {2, 8}});
        QVERIFY(!model.predict(inside).extrapolated);
        QVERIFY(model.predict(below).extrapolated);
    }

    void notCalibratedIsAClearError_data() {
        QTest::addColumn<QString>("method");
        QTest::addColumn<bool>("dropBaseline");
        QTest::addColumn<QString>("message");
        QTest::newRow("method never evaluated") << "zerotprune" << false << "'zerotprune' is not calibrated";
        QTest::newRow("no baseline") << "pomt" << true << "no unpruned (baseline) evaluation";
    }
    void notCalibratedIsAClearError() {
        QFETCH(QString, method);
        QFETCH(bool, dropBaseline);
        QFETCH(QString, message);
        AccuracyCalibration cal = synthetic_calibration("pomt", Truth{}, 0, 1);
        if (dropBaseline) cal.evaluations.erase(cal.evaluations.begin());
        try {
            AccuracyModel::fit(cal, method.toStdString());
            QFAIL("fitted without data");
        } catch (const FormatError& e) {
            QVERIFY2(QString(e.what()).contains(message), e.what());
        }
    }
};

QTEST_GUILESS_MAIN(TestAccuracyModel)
#include "tst_accuracy_model.moc"
