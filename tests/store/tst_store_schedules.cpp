// Schedules: every edit is a new revision, nothing is overwritten; evaluations, export, publish.
#include <QtTest>

#include <filesystem>

#include "core/model/schedule_json.h"
#include "core/store/schedule_csv.h"
#include "core/store/store.h"
#include "store_fixtures.h"

using namespace tp;
using namespace tp::store;

namespace {
QString dump(const Schedule& s) { return QString::fromStdString(to_json(s).dump()); }
}

class TestStoreSchedules : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void editsAddRevisions_data() {
        QTest::addColumn<QList<int>>("cuts");  // one save per entry: the block after which tokens drop
        QTest::newRow("one save") << QList<int>{3};
        QTest::newRow("three edits") << QList<int>{3, 5, 7};
        QTest::newRow("same content saved twice") << QList<int>{4, 4};
    }
    void editsAddRevisions() {
        QFETCH(QList<int>, cuts);
        QTemporaryDir dir;
        Store s = Store::open(dir.filePath("s.sqlite").toStdString(), Mode::Create);
        std::vector<Schedule> saved;
        std::int64_t id = 0;
        for (int i = 0; i < cuts.size(); ++i) {
            Schedule sch = store_test::synthetic_schedule("edge-aware", cuts[i], 100 - i);
            SavedRevision r = s.save_schedule(sch);
            QCOMPARE(r.revision, i + 1);
            id = r.schedule_id;
            saved.push_back(sch);
        }
        QCOMPARE(s.find_schedule("edge-aware"), id);
        QCOMPARE(s.find_schedule(std::to_string(id)), id);
        auto history = s.schedule_history(id);
        QCOMPARE(history.size(), std::size_t(cuts.size()));
        for (int i = 0; i < cuts.size(); ++i) {
            Schedule back = s.load_schedule(id, i + 1);
            QCOMPARE(back.revision, i + 1);
            QVERIFY(back.tokens_after_block == saved[i].tokens_after_block);
            QCOMPARE(history[i].revision, i + 1);
            // Everything the caller gave comes back; revision and time stamps are the store's.
            back.revision = saved[i].revision;
            back.created = saved[i].created;
            back.updated = saved[i].updated;
            QCOMPARE(dump(back), dump(saved[i]));
        }
        QCOMPARE(s.load_schedule(id).revision, int(cuts.size()));
        QCOMPARE(s.list_schedules().size(), std::size_t(1));
        QVERIFY(s.check().empty());
    }

    void statusChangeIsARevisionKeepingEvaluations_data() {
        QTest::addColumn<QString>("status");
        QTest::newRow("approved") << "approved";
        QTest::newRow("deployed") << "deployed";
    }
    void statusChangeIsARevisionKeepingEvaluations() {
        QFETCH(QString, status);
        QTemporaryDir dir;
        Store s = Store::open(dir.filePath("s.sqlite").toStdString(), Mode::Create);
        SavedRevision r = s.save_schedule(store_test::synthetic_schedule("a", 3, 120));
        Measurement m;
        m.kind = "latency";
        m.value = 11.5;
        m.low = 11.0;
        m.high = 12.0;
        m.device = "cpu:cpu-2core-test@local";
        m.date = "2026-11-20T10:00:00Z";
        s.add_evaluation(r.schedule_id, 1, m);
        SavedRevision changed = s.set_status(r.schedule_id, status.toStdString(), "reviewer");
        QCOMPARE(changed.revision, 2);
        Schedule latest = s.load_schedule(r.schedule_id);
        QCOMPARE(QString::fromStdString(latest.status), status);
        QCOMPARE(QString::fromStdString(latest.author), QString("reviewer"));
        QCOMPARE(latest.measurements.size(), std::size_t(1));
        QCOMPARE(latest.measurements[0].value, 11.5);
        Schedule first = s.load_schedule(r.schedule_id, 1);
        QCOMPARE(QString::fromStdString(first.status), QString("draft"));  // not overwritten
        QVERIFY_THROWS_EXCEPTION(StoreError, s.set_status(r.schedule_id, "shipped"));
        QCOMPARE(s.schedule_history(r.schedule_id).size(), std::size_t(2));
    }

    void measurementsTravelWithExportAndReimport() {
        QTemporaryDir dir;
        Store s = Store::open(dir.filePath("s.sqlite").toStdString(), Mode::Create);
        Schedule sch = store_test::synthetic_schedule("with-results", 6, 80);
        Measurement acc;
        acc.kind = "top1";
        acc.value = 0.71;
        acc.low = 0.70;
        acc.high = 0.72;
        acc.dataset = "fashion-mnist:test[0:1000]";
        acc.images = 1000;
        sch.measurements.push_back(acc);
        SavedRevision r = s.save_schedule(sch);
        Schedule exported = s.load_schedule(r.schedule_id);
        QCOMPARE(exported.measurements.size(), std::size_t(1));
        QCOMPARE(QString::fromStdString(exported.measurements[0].dataset), QString("fashion-mnist:test[0:1000]"));
        // The export document is a valid schedule file; importing it again adds a revision, not a duplicate result.
        Schedule reread = schedule_from_json(to_json(exported));
        s.save_schedule(reread);
        QCOMPARE(s.load_schedule(r.schedule_id).measurements.size(), std::size_t(1));
    }

    void csvHasOneRowPerBlock() {
        Schedule sch = store_test::synthetic_schedule("csv, \"quoted\"", 2, 64);
        sch.revision = 3;
        std::string csv = schedule_to_csv(sch);
        QStringList lines = QString::fromStdString(csv).split('\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 1 + sch.depth());
        QVERIFY(lines[0].startsWith("schedule,revision,status,model"));
        QVERIFY(lines[1].startsWith("\"csv, \"\"quoted\"\"\",3,draft,deit_tiny_synthetic,abc123,224,"));
        QVERIFY(lines[3].endsWith(",12.5,12.0,13.25,2,197,64"));
        QVERIFY(lines[12].endsWith(",11,64,64"));
    }

    void calibrationsRoundTrip() {
        QTemporaryDir dir;
        Store s = Store::open(dir.filePath("s.sqlite").toStdString(), Mode::Create);
        Calibration c;
        c.model = store_test::vit_model();
        c.dataset = "fashion-mnist";
        c.subset = "test";
        c.method = "topk";
        c.tokens_after_block = store_test::synthetic_schedule("x", 4, 60).tokens_after_block;
        c.value = 0.8125;
        c.images = 512;
        c.who = "acc";
        s.add_calibration(c);
        c.tokens_after_block.pop_back();
        QVERIFY_THROWS_EXCEPTION(StoreError, s.add_calibration(c));
        auto rows = s.list_calibrations("deit_tiny_synthetic");
        QCOMPARE(rows.size(), std::size_t(1));
        QCOMPARE(rows[0].value, 0.8125);
        QCOMPARE(rows[0].tokens_after_block.size(), std::size_t(12));
        QCOMPARE(QString::fromStdString(rows[0].model.weights_hash), QString("abc123"));
        QVERIFY(s.list_calibrations("other").empty());
    }

    void publishedSnapshotOpensImmutable() {
        namespace fs = std::filesystem;
        QTemporaryDir dir;
        std::string live = dir.filePath("live.sqlite").toStdString();
        std::string snap_dir = dir.filePath("published").toStdString();
        fs::create_directory(snap_dir);
        std::string snap = snap_dir + "/snap.sqlite";
        std::int64_t run = 0;
        {
            Store s = Store::open(live, Mode::Create);
            run = s.import_profile(store_test::synthetic_profile({})).run_id;
            s.save_schedule(store_test::synthetic_schedule("ship-me", 3, 100));
            s.publish(snap);
            QVERIFY_THROWS_EXCEPTION(StoreError, s.publish(snap));  // never overwrites
        }
        std::string digest = store_test::file_digest(snap);
        auto mtime = fs::last_write_time(snap);
        {
            Store ro = Store::open(snap, Mode::Snapshot);
            QCOMPARE(QString::fromStdString(ro.journal_mode()), QString("delete"));
            QCOMPARE(ro.list_schedules().size(), std::size_t(1));
            QCOMPARE(ro.load_profile(run).curves.size(), std::size_t(3));
            QVERIFY(ro.check().empty());
            QVERIFY_THROWS_EXCEPTION(StoreError, ro.import_profile(store_test::synthetic_profile({2})));
            QVERIFY_THROWS_EXCEPTION(StoreError, ro.set_status(1, "approved"));
        }
        // Nothing written, no journal, -wal or -shm created next to it.
        QCOMPARE(QString::fromStdString(store_test::file_digest(snap)), QString::fromStdString(digest));
        QVERIFY(fs::last_write_time(snap) == mtime);
        int files = 0;
        for ([[maybe_unused]] const auto& e : fs::directory_iterator(snap_dir)) ++files;
        QCOMPARE(files, 1);
    }
};

QTEST_GUILESS_MAIN(TestStoreSchedules)
#include "tst_store_schedules.moc"
