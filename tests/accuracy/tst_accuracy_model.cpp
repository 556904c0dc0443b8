// The accuracy model on synthetic evaluations with known structure: recovery of the truth on
// held-out schedules, monotonicity, the compounding exponent, the band's coverage including the
// subset's sampling error, and clear errors when a method is not calibrated.
#include <QtTest>

#include "accuracy_fixtures.h"
#include "accuracy_variants.h"
#include "core/accuracy/accuracy_model.h"
#include "core/util/format_error.h"

using namespace tp;
using namespace tp::test;

class TestAccuracyModel : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void recoversTheTruthOnHeldOutSchedules_data() {
        QTest::addColumn<QString>("method");
        QTest::addColumn<double>("gamma");
        QTest::addColumn<double>("maxErrorPp");
        QTest::addColumn<bool>("steepThenFlat");
        QTest::newRow("pomt, additive truth") << "pomt" << 0.0 << 1.0 << false;
        QTest::newRow("pomt, compounding truth") << "pomt" << 0.3 << 1.5 << false;
        QTest::newRow("random, additive truth") << "random" << 0.0 << 1.0 << false;
        // Not convex: the fit must pick the monotone shape (convex ramps alone miss by several pp).
        QTest::newRow("topk, steep then flat") << "topk" << 0.0 << 1.5 << true;
    }
    void recoversTheTruthOnHeldOutSchedules() {
        QFETCH(QString, method);
        QFETCH(double, gamma);
        QFETCH(double, maxErrorPp);
        QFETCH(bool, steepThenFlat);
        Truth truth;
        truth.gamma = gamma;
        truth.steep_then_flat = steepThenFlat;
        AccuracyModel model = AccuracyModel::fit(synthetic_calibration(method.toStdString(), truth, 0, 7), method.toStdString());
        double worst = 0;
        for (const auto& s : held_out_schedules(50, 99)) worst = std::max(worst, std::abs(model.predict_top1(s) - truth.value(s)));
        QVERIFY2(worst * 100 < maxErrorPp, qPrintable(QString("worst error %1 pp").arg(worst * 100)));
        if (gamma > 0) QVERIFY2(model.report().gamma > 0, qPrintable(QString::number(model.report().gamma)));
        if (steepThenFlat) QVERIFY2(!model.report().convex, "kept the convex shape for a steep-then-flat truth");
    }

    // Issue 26: on fmnist_vit8 two nested deep cuts measured 1.2–2.8 pp above the additive model (it
    // charged the earlier cut as if the later one had not thinned its tokens further). On a truth
    // with that structure, sampled like real evaluations, the additive model (the default fit) must
    // miss and the fit with the thinning choice on (β, its reference and γ by leave-one-out) must
    // follow it; on an additive truth that fit must keep β = 0 (additive over blocks).
    void thinningFollowsNestedCuts_data() {
        QTest::addColumn<QString>("method");
        QTest::addColumn<double>("thinning");   // the truth's exponent
        QTest::addColumn<int>("images");        // per calibration evaluation (0: exact)
        QTest::addColumn<bool>("additiveFit");  // the default fit (thinning off, as before issue 26), else with_thinning()
        QTest::addColumn<double>("minWorstPp"); // the worst error over the held-out schedules must be at least…
        QTest::addColumn<double>("maxWorstPp"); // …and at most
        QTest::addColumn<double>("minShareWithin1Pp");
        QTest::addColumn<bool>("betaPositive");
        QTest::addColumn<int>("firstBlock");    // the truth's first thinned block
        QTest::addColumn<int>("fitFirstBlock"); // the fit's (AccuracyFitSettings::thinning_first_block)
        QTest::newRow("pomt, thinning truth: additive model misses") << "pomt" << 1.5 << 0 << true << 3.0 << 100.0 << 0.0 << false << 0 << 0;
        QTest::newRow("pomt, thinning truth: follows it") << "pomt" << 1.5 << 0 << false << 0.0 << 1.5 << 0.9 << true << 0 << 0;
        QTest::newRow("random, thinning truth, 2000 images: additive misses") << "random" << 1.5 << 2000 << true << 2.0 << 100.0 << 0.0 << false << 0 << 0;
        // 2000 images carry ≈0.55 pp of sampling error per evaluation: a looser share
        QTest::newRow("random, thinning truth, 2000 images: follows it") << "random" << 1.5 << 2000 << false << 0.0 << 2.5 << 0.85 << true << 0 << 0;
        QTest::newRow("zerotprune, thinning truth, 5000 images") << "zerotprune" << 1.5 << 5000 << false << 0.0 << 1.5 << 0.9 << true << 0 << 0;
        QTest::newRow("pomt, additive truth: stays additive") << "pomt" << 0.0 << 0 << false << 0.0 << 1.0 << 1.0 << false << 0 << 0;
        // Block 0 charged in full, later blocks thinned (what fmnist_vit8's nested pairs show): the
        // fit with the same exemption follows it.
        QTest::newRow("pomt, thinning after block 0: follows it") << "pomt" << 1.5 << 0 << false << 0.0 << 1.5 << 0.9 << true << 1 << 1;
        QTest::newRow("random, thinning after block 0, 2000 images: follows it") << "random" << 1.5 << 2000 << false << 0.0 << 2.5 << 0.85 << true << 1 << 1;
        // …where thinning block 0 as well misses (1.9 pp worst, 53/60 within 1 pp when written).
        QTest::newRow("pomt, thinning after block 0, fit thinning block 0 too: misses") << "pomt" << 1.5 << 0 << false << 1.5 << 100.0 << 0.0 << true << 1 << 0;
        QTest::newRow("random, additive truth, 2000 images: stays additive") << "random" << 0.0 << 2000 << false << 0.0 << 1.5 << 0.9 << false << 0 << 0;
    }
    void thinningFollowsNestedCuts() {
        QFETCH(QString, method);
        QFETCH(double, thinning);
        QFETCH(int, images);
        QFETCH(bool, additiveFit);
        QFETCH(double, minWorstPp);
        QFETCH(double, maxWorstPp);
        QFETCH(double, minShareWithin1Pp);
        QFETCH(bool, betaPositive);
        QFETCH(int, firstBlock);
        QFETCH(int, fitFirstBlock);
        Truth truth;
        truth.thinning = thinning;
        truth.thinning_first_block = firstBlock;
        AccuracyFitSettings settings = additiveFit ? AccuracyFitSettings::additive() : AccuracyFitSettings::with_thinning();
        settings.thinning_first_block = fitFirstBlock;
        const AccuracyModel model =
            AccuracyModel::fit(synthetic_calibration(method.toStdString(), truth, images, 17), method.toStdString(), settings);
        double worst = 0;
        int within = 0, total = 0;
        for (const auto& s : held_out_schedules(60, 41)) {
            const double err = std::abs(model.predict_top1(s) - truth.value(s));
            worst = std::max(worst, err);
            within += err <= 0.01;
            ++total;
        }
        const QString what = QString("worst %1 pp, %2/%3 within 1 pp, beta %4, gamma %5")
                                 .arg(100 * worst).arg(within).arg(total).arg(model.report().beta).arg(model.report().gamma);
        qInfo().noquote() << what;
        QVERIFY2(100 * worst >= minWorstPp && 100 * worst <= maxWorstPp, qPrintable(what));
        QVERIFY2(within >= minShareWithin1Pp * total, qPrintable(what));
        QCOMPARE(model.report().beta > 0, betaPositive);
    }

    // Absorption (core/accuracy/absorption.h), the monotone form of thinning: on a truth whose
    // nested cuts absorb each other it picks ρ < 1 and predicts held-out schedules closer than the
    // additive model; on an additive truth it keeps ρ = 1 (the margin against the additive fit).
    void absorptionFollowsNestedCuts_data() {
        QTest::addColumn<QString>("method");
        QTest::addColumn<double>("thinning");  // the truth's exponent (0: additive)
        QTest::addColumn<int>("images");
        QTest::newRow("pomt, thinning truth") << "pomt" << 1.5 << 0;
        QTest::newRow("random, thinning truth, 2000 images") << "random" << 1.5 << 2000;
        QTest::newRow("pomt, additive truth") << "pomt" << 0.0 << 0;
        QTest::newRow("random, additive truth, 2000 images") << "random" << 0.0 << 2000;
    }
    void absorptionFollowsNestedCuts() {
        QFETCH(QString, method);
        QFETCH(double, thinning);
        QFETCH(int, images);
        Truth truth;
        truth.thinning = thinning;
        const AccuracyCalibration cal = synthetic_calibration(method.toStdString(), truth, images, 17);
        const AccuracyModel additive = AccuracyModel::fit(cal, method.toStdString(), AccuracyFitSettings::additive());
        const AccuracyModel absorbing = AccuracyModel::fit(cal, method.toStdString(), accuracy_variants().at("absorb-by-loo"));
        auto rms = [&](const AccuracyModel& m) {
            double sq = 0;
            const auto schedules = held_out_schedules(60, 41);
            for (const auto& s : schedules) sq += std::pow(m.predict_top1(s) - truth.value(s), 2);
            return 100 * std::sqrt(sq / schedules.size());
        };
        const QString what = QString("rho %1: RMS %2 pp against %3 pp additive")
                                 .arg(absorbing.report().absorb).arg(rms(absorbing)).arg(rms(additive));
        qInfo().noquote() << what;
        if (thinning > 0) {
            QVERIFY2(absorbing.report().absorb < 1, qPrintable(what));
            QVERIFY2(rms(absorbing) < 0.8 * rms(additive), qPrintable(what));
        } else {
            QVERIFY2(absorbing.report().absorb == 1, qPrintable(what));
        }
    }

    // The shipped calibration of fmnist_vit8, the shipped fit: keeping one token fewer at either
    // cut of any two-cut schedule never raises the predicted top-1 (the editor shows it while a
    // point is dragged, and the search would seek out any schedule where it did). Thinning fits
    // better by cross-validation but breaks this: a deeper later cut lowers the charge of the
    // blocks before it; the "thinning-late" row keeps that counter-example, the reason it is not
    // shipped. The shipped absorption (core/accuracy/absorption.h) is monotone by construction.
    void shippedModelIsMonotoneInTokensKept_data() {
        QTest::addColumn<QString>("method");
        QTest::addColumn<QString>("variant");  // accuracy_variants.h
        QTest::addColumn<bool>("monotone");
        for (const char* m : {"pomt", "pomt_nomerge", "topk", "zerotprune", "tome", "random"})
            QTest::newRow(m) << QString(m) << QString("default") << true;
        QTest::newRow("pomt, thinning-late: not monotone") << QString("pomt") << QString("thinning-late") << false;
        QTest::newRow("topk, additive") << QString("topk") << QString("additive") << true;
    }
    void shippedModelIsMonotoneInTokensKept() {
        QFETCH(QString, method);
        QFETCH(QString, variant);
        QFETCH(bool, monotone);
        const QString source = QString(TAILPRUNE_SOURCE_DIR);  // tailprune_core's compile definition
        const AccuracyCalibration cal = load_accuracy_calibration(
            (source + "/resources/models/fmnist_vit8/fmnist_vit8.accuracy-calibration.json").toStdString());
        const AccuracyModel model = AccuracyModel::fit(cal, method.toStdString(), accuracy_variants().at(variant.toStdString()));
        const int depth = model.depth(), n = model.input_tokens();
        int rises = 0, steps = 0;
        double worst = 0;
        auto step = [&](const std::vector<int>& more, const std::vector<int>& fewer) {
            const double rise = model.predict_top1(fewer) - model.predict_top1(more);
            ++steps;
            if (rise > 1e-12) ++rises;
            worst = std::max(worst, rise);
        };
        for (int b1 = 0; b1 + 1 < depth; ++b1)
            for (int b2 = b1 + 1; b2 + 1 < depth; ++b2)
                for (int t1 = 4; t1 < n; ++t1)
                    for (int t2 = 3; t2 < t1; ++t2) {
                        const auto two = [&](int a, int b) { return tokens_from_points(depth, n, {{b1, a}, {b2, b}}); };
                        step(two(t1, t2), two(t1, t2 - 1));
                        if (t1 - 1 > t2) step(two(t1, t2), two(t1 - 1, t2));
                    }
        const QString what = QString("%1 of %2 one-token-fewer steps raise the prediction, by up to %3 pp (beta %4, rho %5)")
                                 .arg(rises).arg(steps).arg(100 * worst).arg(model.report().beta).arg(model.report().absorb);
        qInfo().noquote() << what;
        QVERIFY2(steps > 40000, qPrintable(what));
        QVERIFY2((rises == 0) == monotone, qPrintable(what));
        if (variant == "thinning-late") QVERIFY2(model.report().beta > 0, qPrintable(what));
        // Top-K's row tests absorption itself (its fit absorbs on the shipped calibration; which other
        // methods do depends on the calibration's data: ρ = 1 is the additive model).
        if (variant == "default" && method == "topk") QVERIFY2(model.report().absorb < 1, qPrintable(what));
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

    // Issue 26: the model predicts the drop; the value for a split is that split's anchor minus the
    // drop. Which anchor: the calibration record's, else the card's, else the holdout's (labelled),
    // else the fit's own level (labelled).
    void anchoredPredictionIsAnchorMinusDrop_data() {
        QTest::addColumn<QString>("split");
        QTest::addColumn<QString>("recordSplits");  // anchors in the calibration record
        QTest::addColumn<QString>("cardSplits");    // anchors in the model card
        QTest::addColumn<double>("level");          // expected unpruned level (< 0: the fit's own)
        QTest::addColumn<bool>("fallback");
        QTest::addColumn<QString>("describes");
        QTest::newRow("test, from the record") << "test" << "test,holdout" << "" << 0.80 << false << "anchored to test (10000 images, calibration record)";
        QTest::newRow("test, record before card") << "test" << "test" << "test" << 0.80 << false << "calibration record";
        QTest::newRow("test, only in the card") << "test" << "holdout" << "test" << 0.78 << false << "anchored to test (10000 images, model card)";
        QTest::newRow("holdout, from the record") << "holdout" << "test,holdout" << "" << 0.91 << false << "anchored to holdout (5000 images";
        QTest::newRow("test missing: holdout's, labelled") << "test" << "holdout" << "" << 0.91 << true << "no measured anchor for test: using the holdout's";
        QTest::newRow("no anchors: the fit's level, labelled") << "test" << "" << "" << -1.0 << true << "no measured anchor for test";
    }
    void anchoredPredictionIsAnchorMinusDrop() {
        QFETCH(QString, split);
        QFETCH(QString, recordSplits);
        QFETCH(QString, cardSplits);
        QFETCH(double, level);
        QFETCH(bool, fallback);
        QFETCH(QString, describes);
        auto anchors = [](const QString& splits, double test) { return fixture_anchors(splits.toStdString(), test); };
        AccuracyCalibration cal = synthetic_calibration("pomt", Truth{}, 2000, 21);
        cal.anchors = anchors(recordSplits, 0.80);
        const AccuracyModel unanchored = AccuracyModel::fit(cal, "pomt");
        AccuracyModel model = unanchored;
        model.anchor_to(resolve_anchor(split.toStdString(), cal.anchors, anchors(cardSplits, 0.78)));
        QCOMPARE(model.anchor().fallback, fallback);
        QVERIFY2(QString::fromStdString(model.anchor().describe()).contains(describes), model.anchor().describe().c_str());
        const double expected_level = level < 0 ? unanchored.report().baseline_top1 : level;
        const std::vector<int> unpruned(8, 50);
        QVERIFY(std::abs(model.predict_top1(unpruned) - expected_level) < 1e-12);
        for (const auto& s : held_out_schedules(10, 5)) {
            const AccuracyPrediction p = model.predict(s), u = unanchored.predict(s);
            QVERIFY(std::abs(p.top1.drop - (unanchored.report().baseline_top1 - u.top1.value)) < 1e-12);  // the drop does not move
            QVERIFY(std::abs(p.top1.value - (expected_level - p.top1.drop)) < 1e-12);
            QVERIFY(std::abs(model.predict_top1(s) - p.top1.value) < 1e-12);
            QCOMPARE(p.top1.anchor, expected_level);
            QVERIFY(p.top1.drop >= 0 && p.top1.low <= p.top1.value && p.top1.value <= p.top1.high);
        }
    }

    void bandForAMeasurementOnTheAnchorsImages_data() {
        QTest::addColumn<int>("images");
        QTest::addColumn<bool>("sharesTheAnchorsImages");
        QTest::newRow("whole test split") << 10000 << true;
        QTest::newRow("1000-image subset") << 1000 << false;
    }
    void bandForAMeasurementOnTheAnchorsImages() {
        QFETCH(int, images);
        QFETCH(bool, sharesTheAnchorsImages);
        AccuracyCalibration cal = synthetic_calibration("pomt", Truth{}, 2000, 22);
        cal.anchors = {{"test", 0.85, 0.99, 10000, ""}};
        AccuracyModel model = AccuracyModel::fit(cal, "pomt");
        model.anchor_to(resolve_anchor("test", cal.anchors, {}));
        const auto s = tokens_from_points(8, 50, {{2, 30}});
        const AccuracyPrediction p = model.predict(s, images);
        const double v = p.top1.value * (1 - p.top1.value);
        const double level = v / 10000;          // the anchor's own sampling error
        const AccuracyPrediction population = model.predict(s);
        QCOMPARE(p.top1.value, population.top1.value);
        // For a measurement on the anchor's images the level error is shared and drops out; on other
        // images it counts, with the measurement's own sampling error.
        const double expected = population.top1.se * population.top1.se + v / images - (sharesTheAnchorsImages ? level : 0.0);
        QVERIFY2(std::abs(p.top1.se * p.top1.se - expected) < 1e-12,
                 qPrintable(QString("se %1, expected %2").arg(p.top1.se).arg(std::sqrt(expected))));
    }

    void unprunedBandIsTheAnchorsOwn_data() {
        QTest::addColumn<int>("measurementImages");
        QTest::addColumn<double>("expectedSe");
        const double v = 0.85 * 0.15;
        QTest::newRow("population: the anchor's sampling error") << 0 << std::sqrt(v / 10000);
        QTest::newRow("on the anchor's images: exactly the anchor") << 10000 << 0.0;
        QTest::newRow("on 1000 other images") << 1000 << std::sqrt(v / 10000 + v / 1000);
    }
    void unprunedBandIsTheAnchorsOwn() {
        QFETCH(int, measurementImages);
        QFETCH(double, expectedSe);
        AccuracyCalibration cal = synthetic_calibration("pomt", Truth{}, 2000, 23);
        cal.anchors = {{"test", 0.85, 0.99, 10000, ""}};
        AccuracyModel model = AccuracyModel::fit(cal, "pomt");
        model.anchor_to(resolve_anchor("test", cal.anchors, {}));
        const AccuracyPrediction p = model.predict(std::vector<int>(8, 50), measurementImages);
        QCOMPARE(p.top1.value, 0.85);
        QCOMPARE(p.top1.drop, 0.0);
        QVERIFY2(std::abs(p.top1.se - expectedSe) < 1e-12, qPrintable(QString("se %1, expected %2").arg(p.top1.se).arg(expectedSe)));
    }

    void perBlockDropsSumToTheTotalDrop() {
        AccuracyModel model = AccuracyModel::fit(synthetic_calibration("pomt", Truth{}, 0, 5), "pomt");
        auto s = tokens_from_points(8, 50, {{1, 40}, {4, 20}});
        AccuracyPrediction p = model.predict(s);
        double sum = 0;
        for (double d : p.block_drop) sum += d;
        QVERIFY(std::abs(sum - (model.report().baseline_top1 - p.top1.value)) < 1e-9);
        QVERIFY(std::abs(sum - p.top1.drop) < 1e-9);
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
