// A store is input from others too (a shared file, a snapshot someone sent): rows changed behind
// our back must give one clear "damaged store" error naming what is wrong, never a crash, a huge
// allocation or a silently wrong value (issue #28). CSV exports neutralise formula cells.
#include <QTemporaryDir>
#include <QtTest>

#include <SQLiteCpp/SQLiteCpp.h>

#include "core/store/schedule_csv.h"
#include "core/store/store.h"
#include "core/util/csv_cell.h"
#include "store_fixtures.h"

using namespace tp;

class TstStoreCrafted : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void tamperedRowIsReportedAsDamage_data() {
        QTest::addColumn<QString>("sql");
        QTest::addColumn<bool>("loadsSchedule");  // else the profile
        QTest::addColumn<QString>("expected");
        QTest::newRow("samples 2^32 would read as 0") << "UPDATE points SET samples = 4294967296" << false << "samples";
        QTest::newRow("tokens past the limit") << "UPDATE points SET tokens = 2000000000 WHERE tokens = 1" << false
                                               << "tokens";
        QTest::newRow("text in an integer column") << "UPDATE points SET discarded = 'lots'" << false << "discarded";
        QTest::newRow("model depth 10^6") << "UPDATE models SET depth = 1000000" << false << "depth";
        QTest::newRow("model tokens 10^7 in a schedule") << "UPDATE models SET tokens = 10000000" << true << "tokens";
        QTest::newRow("parameters nested 10^5 deep")
            << "UPDATE schedule_revisions SET parameters = '" + QString(100000, '[') + QString(100000, ']') + "'" << true
            << "deeper";
        QTest::newRow("tokens of the wrong shape") << "UPDATE schedule_revisions SET tokens_after_block = '\"x\"'" << true
                                                   << "wrong shape";
        QTest::newRow("more tokens than the model has")
            << "UPDATE schedule_revisions SET tokens_after_block = '[999,999,999,999,999,999,999,999,999,999,999,999]'"
            << true << "tokens_after_block";
    }
    void tamperedRowIsReportedAsDamage() {
        QFETCH(QString, sql);
        QFETCH(bool, loadsSchedule);
        QFETCH(QString, expected);
        QTemporaryDir dir;
        const std::string path = dir.filePath("shared.sqlite").toStdString();
        std::int64_t run = 0, schedule = 0;
        {
            auto store = store::Store::open(path, store::Mode::Create);
            run = store.import_profile(store_test::synthetic_profile({})).run_id;
            schedule = store.save_schedule(store_test::synthetic_schedule("cut", 3, 120)).schedule_id;
            store.load_profile(run);  // both read back before the damage
            store.load_schedule(schedule);
        }
        {
            SQLite::Database db(path, SQLite::OPEN_READWRITE);
            db.exec(sql.toStdString());
        }
        auto store = store::Store::open(path, store::Mode::ReadOnly);
        try {
            if (loadsSchedule) store.load_schedule(schedule);
            else store.load_profile(run);
            QFAIL("the tampered store was read without an error");
        } catch (const store::StoreError& e) {
            QCOMPARE(int(e.kind()), int(store::StoreError::Kind::Corrupt));
            QVERIFY2(QString(e.what()).contains(expected), e.what());
        }
    }

    void csvTextCellsAreNeutralised_data() {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("cell");
        QTest::newRow("plain") << "pomt-b3" << "pomt-b3";
        QTest::newRow("formula") << "=HYPERLINK(\"http://x\")" << "\"'=HYPERLINK(\"\"http://x\"\")\"";
        QTest::newRow("plus") << "+1+1" << "'+1+1";
        QTest::newRow("minus") << "-2+3" << "'-2+3";
        QTest::newRow("at") << "@SUM(A1)" << "'@SUM(A1)";
        QTest::newRow("tab") << "\tcmd" << "'\tcmd";
        QTest::newRow("comma is quoted") << "a,b" << "\"a,b\"";
    }
    void csvTextCellsAreNeutralised() {
        QFETCH(QString, text);
        QFETCH(QString, cell);
        QCOMPARE(QString::fromStdString(csv_text_cell(text.toStdString())), cell);
    }

    void scheduleCsvKeepsNumbersAndNeutralisesNames() {
        Schedule s = store_test::synthetic_schedule("=cmd|' /C calc'!A0", 3, 120);
        const QString csv = QString::fromStdString(store::schedule_to_csv(s));
        QVERIFY2(csv.contains("\n'=cmd|' /C calc'!A0,"), qPrintable(csv));
        QCOMPARE(QString::fromStdString(csv_number_cell(-3.5)), QString("-3.5"));  // numbers are never prefixed
    }
};

QTEST_GUILESS_MAIN(TstStoreCrafted)
#include "tst_store_crafted.moc"
