// Schema creation and every forward migration from v1: data survives, the result equals a fresh store.
#include <QtTest>

#include <SQLiteCpp/Database.h>

#include "core/store/schema.h"
#include "core/store/store.h"
#include "store_fixtures.h"

using namespace tp;
using namespace tp::store;

namespace {

// Table and index definitions, normalised so the order of creation does not matter.
QStringList schema_of(const std::string& path) {
    SQLite::Database db(path, SQLite::OPEN_READONLY);
    SQLite::Statement q(db, "SELECT type, name, tbl_name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name");
    QStringList out;
    while (q.executeStep()) {
        QString entry = QString::fromStdString(q.getColumn(0).getString() + " " + q.getColumn(1).getString());
        if (q.getColumn(0).getString() == "table") {
            SQLite::Statement cols(db, "SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_info(?)");
            cols.bind(1, q.getColumn(1).getString());
            while (cols.executeStep())
                entry += QString::fromStdString(" | " + cols.getColumn(0).getString() + " " +
                                                cols.getColumn(1).getString() + " " + cols.getColumn(2).getString() +
                                                " " + (cols.getColumn(3).isNull() ? "-" : cols.getColumn(3).getString()) +
                                                " " + cols.getColumn(4).getString());
        }
        out << entry;
    }
    return out;
}

int user_version(const std::string& path) {
    SQLite::Database db(path, SQLite::OPEN_READONLY);
    return db.execAndGet("PRAGMA user_version").getInt();
}

// Rows a v1 store could hold, written with v1's columns only.
void fill_v1(SQLite::Database& db) {
    db.exec("INSERT INTO devices (id, identity, name, kind, host) VALUES (1, 'cpu:old@local', 'old', 'cpu', 'local')");
    db.exec("INSERT INTO models (id, name, architecture, depth, embed_dim, heads, mlp_ratio_x100, patch, image_size, "
            "channels, num_classes, tokens, weights_hash) VALUES (1, 'deit_tiny_synthetic', 'vit', 12, 192, 3, 400, "
            "16, 224, 3, 1000, 197, 'abc123')");
    db.exec("INSERT INTO schedules (id, name, created) VALUES (1, 'legacy', '2025-01-01T00:00:00Z')");
    db.exec("INSERT INTO schedule_revisions (schedule_id, revision, model_id, device_id, device, batch, dtype, method, "
            "parameters, tokens_after_block, notes, author, status, format_version, updated) VALUES (1, 1, 1, NULL, "
            "'', 1, 'fp32', 'topk', '{}', '[197,197,197,100,100,100,100,100,100,100,100,100]', 'from v1', 'old', "
            "'approved', 1, '2025-01-01T00:00:00Z')");
}

}  // namespace

class TestStoreSchema : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void newStoreHasCurrentSchema() {
        QTemporaryDir dir;
        std::string path = dir.filePath("new.sqlite").toStdString();
        Store s = Store::open(path, Mode::Create);
        QCOMPARE(user_version(path), kSchemaVersion);
        QCOMPARE(QString::fromStdString(s.journal_mode()), QString("wal"));
        QStringList schema = schema_of(path);
        for (const char* table : {"table devices", "table models", "table runs", "table curves", "table points",
                                  "table census", "table schedules", "table schedule_revisions", "table evaluations",
                                  "table calibrations", "table stale_flags"}) {
            bool found = std::any_of(schema.begin(), schema.end(), [&](const QString& e) { return e.startsWith(table + QString(" ")) || e == table; });
            QVERIFY2(found, table);
        }
        SQLite::Database db(path, SQLite::OPEN_READONLY);
        // Foreign keys are declared (the store turns enforcement on per connection).
        QVERIFY(db.execAndGet("SELECT count(*) FROM pragma_foreign_key_list('schedule_revisions')").getInt() >= 3);
        QVERIFY(s.check().empty());
    }

    void migratesForward_data() {
        QTest::addColumn<int>("from");
        QTest::newRow("from v1") << 1;
        QTest::newRow("from v2") << 2;
        QTest::newRow("from v3") << 3;
    }
    void migratesForward() {
        QFETCH(int, from);
        QTemporaryDir dir;
        std::string old_path = dir.filePath("old.sqlite").toStdString();
        {
            SQLite::Database db(old_path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
            create_schema_version(db, from);
            fill_v1(db);
        }
        QCOMPARE(user_version(old_path), from);
        {
            Store s = Store::open(old_path, Mode::ReadWrite);
            QCOMPARE(user_version(old_path), kSchemaVersion);
            // The old rows are still there and readable through the current API.
            auto rows = s.list_schedules();
            QCOMPARE(rows.size(), std::size_t(1));
            QCOMPARE(QString::fromStdString(rows[0].name), QString("legacy"));
            Schedule legacy = s.load_schedule(rows[0].id);
            QCOMPARE(legacy.tokens_after_block[3], 100);
            QCOMPARE(QString::fromStdString(legacy.status), QString("approved"));
            // Tables added by the migrations work.
            Measurement m;
            m.kind = "top1";
            m.value = 0.7;
            m.dataset = "imagenet:val";
            s.add_evaluation(rows[0].id, 1, m);
            QCOMPARE(s.load_schedule(rows[0].id).measurements.size(), std::size_t(1));
            auto saved = s.save_schedule(store_test::synthetic_schedule("legacy", 5, 90));
            QCOMPARE(saved.revision, 2);
            QVERIFY2(s.check().empty(), s.check().empty() ? "" : s.check().front().c_str());
        }
        std::string fresh = dir.filePath("fresh.sqlite").toStdString();
        { Store::open(fresh, Mode::Create); }
        QCOMPARE(schema_of(old_path), schema_of(fresh));
    }

    void migrationIsOneTransaction() {
        // A v1 file whose migration cannot finish (a table v2 creates is already there) stays v1, unchanged.
        QTemporaryDir dir;
        std::string path = dir.filePath("blocked.sqlite").toStdString();
        {
            SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
            create_schema_version(db, 1);
            db.exec("CREATE TABLE calibrations (x INTEGER)");
        }
        QStringList before = schema_of(path);
        QVERIFY_THROWS_EXCEPTION(StoreError, Store::open(path, Mode::ReadWrite));
        QCOMPARE(user_version(path), 1);
        QCOMPARE(schema_of(path), before);
    }

    void readOnlyModesDoNotMigrate() {
        QTemporaryDir dir;
        std::string path = dir.filePath("v1.sqlite").toStdString();
        {
            SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
            create_schema_version(db, 1);
        }
        QVERIFY_THROWS_EXCEPTION(StoreError, Store::open(path, Mode::ReadOnly));
        QCOMPARE(user_version(path), 1);
    }
};

QTEST_GUILESS_MAIN(TestStoreSchema)
#include "tst_store_schema.moc"
