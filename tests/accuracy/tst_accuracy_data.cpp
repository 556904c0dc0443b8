// Calibration files: round trip, and one clear error naming file, line and field for bad input —
// including a calibration that claims to use the test split.
#include <QtTest>

#include "accuracy_fixtures.h"
#include "core/model/format_error.h"

#include <nlohmann/json.hpp>

using namespace tp;
using namespace tp::test;

class TestAccuracyData : public QObject {
    Q_OBJECT
private Q_SLOTS:
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
    }
    void badFileNamesTheField() {
        QFETCH(QString, path);
        QFETCH(QString, value);
        QFETCH(QString, expected);
        nlohmann::json doc = nlohmann::json::parse(accuracy_calibration_to_text(synthetic_calibration("pomt", Truth{}, 500, 3)));
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
