// Calibration files: round trip, and one clear error naming file, line and field for bad input —
// including a calibration that claims to use the test split.
#include <QtTest>

#include "accuracy_fixtures.h"
#include "core/accuracy/accuracy_anchor.h"
#include "core/util/format_error.h"

#include <nlohmann/json.hpp>

using namespace tp;
using namespace tp::test;

namespace {
// A calibration file with anchors for the test and holdout splits.
AccuracyCalibration anchored_calibration() {
    AccuracyCalibration cal = synthetic_calibration("pomt", Truth{}, 500, 3);
    cal.anchors = {{"test", 0.8817, 0.9977, 10000, "2026-12-06T17:00:00Z"}, {"holdout", 0.8914, 0.9972, 5000, ""}};
    return cal;
}
}  // namespace

class TestAccuracyData : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void anchorsRoundTrip() {
        AccuracyCalibration back = parse_accuracy_calibration(accuracy_calibration_to_text(anchored_calibration()), "mem");
        QCOMPARE(back.anchors.size(), std::size_t(2));
        const AccuracyAnchor* test = find_anchor(back.anchors, "test");
        QVERIFY(test);
        QCOMPARE(test->top1, 0.8817);
        QCOMPARE(test->images, 10000);
        QCOMPARE(test->measured, std::string("2026-12-06T17:00:00Z"));
        QVERIFY(find_anchor(back.anchors, "holdout"));
        QVERIFY(!find_anchor(back.anchors, "train"));
        // A file without the field (written before it existed) still reads, with no anchors.
        AccuracyCalibration plain = synthetic_calibration("pomt", Truth{}, 500, 3);
        QVERIFY(accuracy_calibration_to_text(plain).find("anchors") == std::string::npos);
        QVERIFY(parse_accuracy_calibration(accuracy_calibration_to_text(plain), "mem").anchors.empty());
    }

    void cardAnchors_data() {
        QTest::addColumn<QString>("card");
        QTest::addColumn<int>("anchors");
        QTest::addColumn<QString>("error");
        QTest::newRow("card without anchors") << R"({"format": "tailprune-model-card", "name": "m"})" << 0 << "";
        QTest::newRow("card with a test anchor")
            << R"({"format": "tailprune-model-card", "anchors": {"test": {"top1": 0.88, "top5": 0.99, "images": 10000}}})" << 1 << "";
        QTest::newRow("not a card") << R"({"format": "tailprune-schedule"})" << 0 << "not a model card";
        QTest::newRow("unknown split")
            << R"({"format": "tailprune-model-card", "anchors": {"validation": {"top1": 0.88, "top5": 0.99, "images": 10}}})" << 0
            << "unknown split 'validation'";
        QTest::newRow("top1 missing")
            << R"({"format": "tailprune-model-card", "anchors": {"test": {"top5": 0.99, "images": 10}}})" << 0 << "/anchors/test/top1";
    }
    void cardAnchors() {
        QFETCH(QString, card);
        QFETCH(int, anchors);
        QFETCH(QString, error);
        QTemporaryDir dir;
        const QString path = dir.filePath("m.card.json");
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(card.toUtf8());
        f.close();
        try {
            auto read = read_card_anchors(path.toStdString());
            QVERIFY2(error.isEmpty(), "accepted a bad card");
            QCOMPARE(int(read.size()), anchors);
        } catch (const FormatError& e) {
            QVERIFY2(!error.isEmpty() && QString(e.what()).contains(error), e.what());
            QVERIFY2(QString(e.what()).contains("m.card.json"), e.what());
        }
    }

    void cardNextToTheCalibration_data() {
        QTest::addColumn<QString>("calibration");
        QTest::addColumn<QString>("card");
        QTest::newRow("calibrate's default name") << "/m/fmnist_vit8.accuracy-calibration.json" << "/m/fmnist_vit8.card.json";
        QTest::newRow("another name") << "/m/cal.json" << "";
    }
    void cardNextToTheCalibration() {
        QFETCH(QString, calibration);
        QFETCH(QString, card);
        QCOMPARE(QString::fromStdString(card_path_for_calibration(calibration.toStdString())), card);
    }

    void roundTrip() {
        AccuracyCalibration cal = synthetic_calibration("pomt", Truth{}, 500, 3);
        cal.subset.seed = 42;
        AccuracyCalibration back = parse_accuracy_calibration(accuracy_calibration_to_text(cal), "mem");
        QCOMPARE(back.model.name, cal.model.name);
        QCOMPARE(back.subset.label(), QString("fashion-mnist/holdout/500@seed42").toStdString());
        QCOMPARE(back.evaluations.size(), cal.evaluations.size());
        QCOMPARE(back.evaluations[5].tokens_after_block, cal.evaluations[5].tokens_after_block);
        QCOMPARE(back.evaluations[5].top1, cal.evaluations[5].top1);
        QCOMPARE(back.evaluations[5].kind, cal.evaluations[5].kind);
        QVERIFY(back.find("pomt", cal.evaluations[5].tokens_after_block));
        QVERIFY(back.find("pomt", std::vector<int>(8, 50)));  // the baseline serves every method
        QVERIFY(!back.find("tome", cal.evaluations[5].tokens_after_block));
    }

    void badFileNamesTheField_data() {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("value");
        QTest::addColumn<QString>("expected");
        QTest::newRow("test split") << "/subset/split" << R"("test")" << "must not use the test split";
        QTest::newRow("top1 above 1") << "/evaluations/0/top1" << "1.5" << "/evaluations/0/top1";
        QTest::newRow("increasing tokens") << "/evaluations/1/tokens_after_block/3" << "60" << "/evaluations/1/tokens_after_block/3";
        QTest::newRow("too few blocks") << "/evaluations/2/tokens_after_block" << "[50]" << "has 1 entries but the model has 8";
        QTest::newRow("unknown method") << "/evaluations/0/method" << R"("magic")" << "unknown method 'magic'";
        QTest::newRow("no images") << "/evaluations/0/images" << "0" << "/evaluations/0/images";
        QTest::newRow("unknown key") << "/evaluations/0/typo" << "1" << "typo";
        QTest::newRow("anchor of an unknown split") << "/anchors/validation" << R"({"top1": 0.8, "top5": 0.9, "images": 10})"
                                                    << "unknown split 'validation'";
        QTest::newRow("anchor top5 below top1") << "/anchors/test/top5" << "0.5" << "/anchors/test/top5";
        QTest::newRow("anchor without images") << "/anchors/test/images" << "0" << "/anchors/test/images";
        QTest::newRow("anchor unknown key") << "/anchors/holdout/typo" << "1" << "typo";
        QTest::newRow("anchors not an object") << "/anchors" << "[]" << "/anchors";
    }
    void badFileNamesTheField() {
        QFETCH(QString, path);
        QFETCH(QString, value);
        QFETCH(QString, expected);
        nlohmann::json doc = nlohmann::json::parse(accuracy_calibration_to_text(anchored_calibration()));
        doc[nlohmann::json::json_pointer(path.toStdString())] = nlohmann::json::parse(value.toStdString());
        try {
            parse_accuracy_calibration(doc.dump(2), "cal.json");
            QFAIL("accepted a bad calibration file");
        } catch (const FormatError& e) {
            QVERIFY2(QString(e.what()).contains(expected), e.what());
            QVERIFY2(QString(e.what()).contains("cal.json"), e.what());
        }
    }
};

QTEST_GUILESS_MAIN(TestAccuracyData)
#include "tst_accuracy_data.moc"
