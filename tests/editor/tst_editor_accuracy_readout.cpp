// The editor's accuracy readout as a user reads it (issue 26): which split the prediction is for,
// predicted top-1 and predicted drop, where the unpruned level comes from (a measured anchor, or a
// labelled fallback), and why a method's band is wide when its calibration fits poorly.
#include <QComboBox>
#include <QSemaphore>
#include <QSignalSpy>
#include <QThreadPool>
#include <QtConcurrent/QtConcurrentRun>
#include <QtTest>

#include "tests/accuracy/accuracy_fixtures.h"
#include "ui/editor/accuracy_readout.h"
#include "ui/editor/core_accuracy_source.h"

using namespace tp;
using namespace tp::test;
using namespace tp::ui;

class TestEditorAccuracyReadout : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void readsAsAUserNeedsIt_data() {
        QTest::addColumn<QString>("split");
        QTest::addColumn<QString>("recordAnchors");
        QTest::addColumn<QString>("cardAnchors");
        QTest::addColumn<double>("unpruned");
        QTest::addColumn<QStringList>("shows");
        QTest::newRow("test split, measured anchor") << "test" << "test,holdout" << ""
                                                     << 0.80 << QStringList{"on test split", "drop", "unpruned 80.00%", "anchored to test (10000 images, calibration record)"};
        QTest::newRow("holdout split") << "holdout" << "test,holdout" << "" << 0.91
                                       << QStringList{"on holdout split", "anchored to holdout (5000 images"};
        QTest::newRow("test anchor from the card") << "test" << "holdout" << "test" << 0.78
                                                   << QStringList{"anchored to test (10000 images, model card)"};
        QTest::newRow("no test anchor: holdout's, labelled") << "test" << "holdout" << "" << 0.91
                                                            << QStringList{"no measured anchor for test: using the holdout's"};
    }
    void readsAsAUserNeedsIt() {
        QFETCH(QString, split);
        QFETCH(QString, recordAnchors);
        QFETCH(QString, cardAnchors);
        QFETCH(double, unpruned);
        QFETCH(QStringList, shows);
        auto anchors = [](const QString& splits, double test) { return fixture_anchors(splits.toStdString(), test); };
        AccuracyCalibration cal = synthetic_calibration("pomt", Truth{}, 2000, 4);
        cal.anchors = anchors(recordAnchors, 0.80);
        CoreAccuracySource source(cal, anchors(cardAnchors, 0.78));
        source.waitForFit("pomt");
        Schedule s;
        s.model = small_vit_model();
        s.method = "pomt";
        s.tokens_after_block = tokens_from_points(8, 50, {{1, 25}});
        AccuracyReadout readout;
        readout.setSplit(split);
        QCOMPARE(readout.split(), split);
        const PredictedAccuracy p = source.predict(s, readout.split());
        QVERIFY(p.calibrated);
        QCOMPARE(p.unpruned_top1, unpruned);
        QVERIFY(p.drop > 0.005);
        QVERIFY(std::abs(p.top1 - (unpruned - p.drop)) < 1e-12);
        readout.setPrediction(p);
        const QString text = readout.text();
        for (const QString& want : shows) QVERIFY2(text.contains(want), qPrintable(text));
        QVERIFY2(text.contains(QString("predicted %1%").arg(100 * p.top1, 0, 'f', 1)), qPrintable(text));
        QVERIFY2(text.contains(QString("drop %1 pp").arg(100 * p.drop, 0, 'f', 1)), qPrintable(text));
        QVERIFY(!readout.calibrateOffered());
    }

    void choosingASplitAsksForANewPrediction() {
        AccuracyReadout readout;
        QCOMPARE(readout.split(), QString("test"));  // the default
        QSignalSpy spy(&readout, &AccuracyReadout::splitChanged);
        auto* combo = readout.findChild<QComboBox*>("accuracySplit");
        QVERIFY(combo);
        combo->setCurrentIndex(combo->findData("holdout"));
        QCOMPARE(spy.count(), 1);
        QCOMPARE(readout.split(), QString("holdout"));
    }

    void wideBandSaysWhy_data() {
        QTest::addColumn<QString>("method");
        QTest::addColumn<double>("looRmse");
        QTest::addColumn<bool>("caveat");
        QTest::addColumn<QString>("reason");
        QTest::newRow("fits to 1.7 pp: says why the band is wide") << "topk" << 0.017 << true << "1.7 pp";
        QTest::newRow("fits to 0.6 pp: no caveat") << "topk" << 0.006 << false << "";
        QTest::newRow("random: the seed's mask, however well it fits") << "random" << 0.006 << true << "one draw per seed";
    }
    void wideBandSaysWhy() {
        QFETCH(QString, method);
        QFETCH(double, looRmse);
        QFETCH(bool, caveat);
        QFETCH(QString, reason);
        AccuracyFitReport report;
        report.method = method.toStdString();
        report.loo_rmse_top1 = looRmse;
        const QString text = QString::fromStdString(band_caveat(report));
        QCOMPARE(!text.isEmpty(), caveat);
        if (caveat) QVERIFY2(text.contains("band wide") && text.contains(method) && text.contains(reason), qPrintable(text));
        PredictedAccuracy p;
        p.calibrated = true;
        p.split = "test";
        p.anchor = "anchored to test (10000 images, calibration record)";
        p.caveat = text;
        AccuracyReadout readout;
        readout.setPrediction(p);
        QCOMPARE(readout.text().contains("band wide"), caveat);
    }

    // The fit (the leave-one-out choice of the model's form, ~0.4 s on the shipped calibration) runs
    // on the thread pool: the first prediction says it is being fitted and offers no calibration,
    // ready() follows, and the next prediction is the answer (or why there is none). The pool is
    // held busy until the pending answer has been read, so "pending" is certain, not a race.
    void firstPredictionIsFittedOffTheGuiThread_data() {
        QTest::addColumn<QString>("method");
        QTest::addColumn<bool>("calibrated");
        QTest::newRow("calibrated method: predicts once fitted") << "pomt" << true;
        QTest::newRow("method without evaluations: says so once tried") << "zerotprune" << false;
    }
    void firstPredictionIsFittedOffTheGuiThread() {
        QFETCH(QString, method);
        QFETCH(bool, calibrated);
        AccuracyCalibration cal = synthetic_calibration("pomt", Truth{}, 2000, 4);
        cal.anchors = fixture_anchors("test,holdout", 0.80);
        CoreAccuracySource source(cal);
        QSignalSpy ready(&source, &AccuracySource::ready);
        Schedule s;
        s.model = small_vit_model();
        s.method = method.toStdString();
        s.tokens_after_block = tokens_from_points(8, 50, {{1, 25}});

        QThreadPool* pool = QThreadPool::globalInstance();
        QSemaphore started, release;
        std::vector<QFuture<void>> blockers;
        for (int i = 0; i < pool->maxThreadCount(); ++i)
            blockers.push_back(QtConcurrent::run([&] { started.release(); release.acquire(); }));
        QVERIFY(started.tryAcquire(pool->maxThreadCount(), 10000));
        const PredictedAccuracy first = source.predict(s, "test");
        QVERIFY(first.pending);
        QVERIFY(!first.calibrated);
        AccuracyReadout readout;
        readout.setPrediction(first);
        QVERIFY2(readout.text().contains("fitting the " + method + " accuracy model"), qPrintable(readout.text()));
        QVERIFY2(!readout.calibrateOffered(), "a fit in progress is not a missing calibration");
        QVERIFY(source.predict(s, "test").pending);  // asking again starts no second fit
        release.release(pool->maxThreadCount());
        for (auto& b : blockers) b.waitForFinished();

        QVERIFY(ready.wait(60000));
        const PredictedAccuracy answer = source.predict(s, "test");
        QVERIFY(!answer.pending);
        QCOMPARE(answer.calibrated, calibrated);
        if (!calibrated) QVERIFY2(!answer.reason.isEmpty(), "no reason given");
        readout.setPrediction(answer);
        QCOMPARE(readout.calibrateOffered(), !calibrated);
        QTest::qWait(50);
        QCOMPARE(ready.count(), 1);
    }

    void notCalibratedOffersCalibration() {
        AccuracyReadout readout;
        PredictedAccuracy p;
        p.reason = "method 'zerotprune' is not calibrated";
        readout.setPrediction(p);
        QVERIFY(readout.calibrateOffered());
        QVERIFY2(readout.text().contains("not calibrated — method 'zerotprune'"), qPrintable(readout.text()));
        QVERIFY2(!readout.text().contains("anchored"), qPrintable(readout.text()));
    }
};

QTEST_MAIN(TestEditorAccuracyReadout)
#include "tst_editor_accuracy_readout.moc"
