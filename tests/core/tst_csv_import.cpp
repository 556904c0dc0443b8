// CSV import of curves measured elsewhere.
#include <QtTest>

#include "core/model/csv_import.h"
#include "core/util/format_error.h"

using namespace tp;

class TestCsvImport : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void goodCsv_data() {
        QTest::addColumn<QString>("text");
        QTest::addColumn<int>("points");
        QTest::addColumn<double>("p90At2");
        QTest::newRow("minimal") << "tokens,median_ms\n1,0.5\n2,0.6\n" << 2 << 0.6;
        QTest::newRow("full") << "tokens,median_ms,p10_ms,p90_ms,samples\n2,0.6,0.55,0.7,40\n1,0.5,0.45,0.55,40\n" << 2 << 0.7;
        QTest::newRow("reordered columns, comments, CRLF") << "# from my script\r\nmedian_ms,tokens\r\n0.5,1\r\n0.6,2\r\n" << 2 << 0.6;
    }
    void goodCsv() {
        QFETCH(QString, text);
        QFETCH(int, points);
        QFETCH(double, p90At2);
        Curve c = parse_curve_csv(text.toStdString(), "x.csv", parse_scope("model"));
        QCOMPARE(int(c.points.size()), points);
        QCOMPARE(c.points.front().tokens, 1);  // sorted
        QCOMPARE(c.find(2)->p90_ms, p90At2);
        QCOMPARE(c.name, std::string("model"));
    }

    void badCsv_data() {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("expected");
        QTest::newRow("empty") << "" << "empty CSV";
        QTest::newRow("header only") << "tokens,median_ms\n" << "no data rows";
        QTest::newRow("unknown column") << "tokens,median,p10_ms\n" << "unknown column 'median'";
        QTest::newRow("missing median") << "tokens,p10_ms,p90_ms\n" << "at least tokens and median_ms";
        QTest::newRow("p10 without p90") << "tokens,median_ms,p10_ms\n1,2,1\n" << "come together";
        QTest::newRow("not a number") << "tokens,median_ms\n1,0.5\n2,abc\n" << "x.csv:3";
        QTest::newRow("fractional tokens") << "tokens,median_ms\n1.5,0.5\n" << "positive integer";
        QTest::newRow("short row") << "tokens,median_ms\n1\n" << "expected 2 columns";
        QTest::newRow("duplicate tokens") << "tokens,median_ms\n1,0.5\n1,0.6\n" << "duplicate token count";
        QTest::newRow("percentiles reversed") << "tokens,median_ms,p10_ms,p90_ms\n1,0.5,0.6,0.4\n" << "out of order";
    }
    void badCsv() {
        QFETCH(QString, text);
        QFETCH(QString, expected);
        try {
            parse_curve_csv(text.toStdString(), "x.csv", parse_scope("model"));
            QFAIL("accepted a bad CSV");
        } catch (const FormatError& e) {
            QVERIFY2(QString(e.what()).contains(expected), e.what());
        }
    }
};

QTEST_GUILESS_MAIN(TestCsvImport)
#include "tst_csv_import.moc"
