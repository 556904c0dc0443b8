// Bad files: each gives one StoreError of the right kind and leaves the file unchanged.
#include <QtTest>

#include <filesystem>
#include <fstream>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Transaction.h>

#include "core/store/store.h"
#include "store_fixtures.h"

using namespace tp;
using namespace tp::store;
namespace fs = std::filesystem;

Q_DECLARE_METATYPE(tp::store::StoreError::Kind)
Q_DECLARE_METATYPE(tp::store::Mode)
Q_DECLARE_METATYPE(tp::store::Journal)

namespace {

void make_store(const std::string& path) {
    Store s = Store::open(path, Mode::Create);
    for (int seed = 1; seed <= 3; ++seed) {
        store_test::ProfileShape shape;
        shape.seed = seed;
        shape.curves = 6;
        shape.points = 60;
        s.import_profile(store_test::synthetic_profile(shape));
    }
    s.save_schedule(store_test::synthetic_schedule("kept", 3, 100));
}

void overwrite(const std::string& path, std::streamoff at, std::size_t bytes, char fill) {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(at);
    std::string junk(bytes, fill);
    f.write(junk.data(), static_cast<std::streamsize>(junk.size()));
}

// Prepares the bad file named `bad` at `path`.
void prepare(const QString& bad, const std::string& path) {
    if (bad == "not sqlite (text)") {
        std::ofstream(path) << std::string(5000, 'x') << "\nthis is a text file, not a database\n";
    } else if (bad == "not sqlite (binary)") {
        std::ofstream out(path, std::ios::binary);
        for (int i = 0; i < 8192; ++i) out.put(static_cast<char>((i * 7919) & 0xff));
    } else if (bad == "another program's database") {
        SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
        db.exec("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)");
        db.exec("INSERT INTO invoices (total) VALUES (12.5)");
    } else if (bad == "newer schema") {
        make_store(path);
        SQLite::Database db(path, SQLite::OPEN_READWRITE);
        db.exec("PRAGMA user_version = 99");
    } else if (bad == "corrupt pages") {
        make_store(path);
        overwrite(path, 4096, static_cast<std::size_t>(fs::file_size(path)) - 4096, '\xA5');
    } else if (bad == "corrupt header") {
        make_store(path);
        overwrite(path, 16, 8, '\xFF');  // page size and file format bytes
    } else if (bad == "truncated") {
        make_store(path);
        fs::resize_file(path, fs::file_size(path) / 3);
    } else if (bad == "read-only file") {
        make_store(path);
        fs::permissions(path, fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read);
    }
}

// Opens and writes; returns the kind of the StoreError thrown (or fails the test if none).
std::optional<StoreError::Kind> open_and_write(const std::string& path, Mode mode, std::string* message) {
    try {
        Store s = Store::open(path, mode);
        if (mode == Mode::ReadOnly) {
            s.list_runs();
            s.check();
            return std::nullopt;
        }
        s.import_profile(store_test::synthetic_profile({}));
        s.save_schedule(store_test::synthetic_schedule("new", 2, 50));
    } catch (const StoreError& e) {
        *message = e.what();
        return e.kind();
    }
    return std::nullopt;
}

}  // namespace

class TestStoreBadFiles : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void oneClearErrorNothingChanged_data() {
        using K = StoreError::Kind;
        QTest::addColumn<QString>("bad");
        QTest::addColumn<Mode>("mode");
        QTest::addColumn<K>("kind");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("text file") << "not sqlite (text)" << Mode::Create << K::NotSqlite << "not an SQLite database";
        QTest::newRow("binary file") << "not sqlite (binary)" << Mode::ReadWrite << K::NotSqlite << "not an SQLite";
        QTest::newRow("other database") << "another program's database" << Mode::Create << K::NotSqlite
                                        << "not a TailPrune store";
        QTest::newRow("newer schema, write") << "newer schema" << Mode::ReadWrite << K::NewerSchema << "version 99";
        QTest::newRow("newer schema, read") << "newer schema" << Mode::ReadOnly << K::NewerSchema << "update TailPrune";
        QTest::newRow("corrupt pages") << "corrupt pages" << Mode::ReadWrite << K::Corrupt << "damaged";
        QTest::newRow("corrupt pages, read") << "corrupt pages" << Mode::ReadOnly << K::Corrupt << "damaged";
        QTest::newRow("corrupt header") << "corrupt header" << Mode::ReadWrite << K::NotSqlite << "not an SQLite";
        QTest::newRow("truncated") << "truncated" << Mode::ReadWrite << K::Corrupt << "damaged";
        QTest::newRow("read-only file") << "read-only file" << Mode::ReadWrite << K::ReadOnly << "read-only";
    }
    void oneClearErrorNothingChanged() {
        QFETCH(QString, bad);
        QFETCH(Mode, mode);
        QFETCH(StoreError::Kind, kind);
        QFETCH(QString, mentions);
        QTemporaryDir dir;
        std::string path = dir.filePath("bad.sqlite").toStdString();
        prepare(bad, path);
        std::string before = store_test::file_digest(path);
        std::string message;
        auto got = open_and_write(path, mode, &message);
        QVERIFY2(got.has_value(), "no error for a bad file");
        QVERIFY2(*got == kind, message.c_str());
        QVERIFY2(QString::fromStdString(message).contains(mentions), message.c_str());
        QVERIFY2(QString::fromStdString(message).contains(QString::fromStdString(path)), "the error names the file");
        QCOMPARE(QString::fromStdString(store_test::file_digest(path)), QString::fromStdString(before));
    }

    void missingFileIsNotCreatedUnlessAsked_data() {
        QTest::addColumn<Mode>("mode");
        QTest::newRow("read-write") << Mode::ReadWrite;
        QTest::newRow("read-only") << Mode::ReadOnly;
        QTest::newRow("snapshot") << Mode::Snapshot;
    }
    void missingFileIsNotCreatedUnlessAsked() {
        QFETCH(Mode, mode);
        QTemporaryDir dir;
        std::string path = dir.filePath("missing.sqlite").toStdString();
        QVERIFY_THROWS_EXCEPTION(StoreError, Store::open(path, mode));
        QVERIFY(!fs::exists(path));
    }

    void lockHeldPastTimeout_data() {
        QTest::addColumn<Journal>("journal");
        QTest::newRow("wal") << Journal::Wal;
        QTest::newRow("rollback") << Journal::Rollback;
    }
    void lockHeldPastTimeout() {
        QFETCH(Journal, journal);
        QTemporaryDir dir;
        std::string path = dir.filePath("locked.sqlite").toStdString();
        Options options;
        options.journal = journal;
        options.busy_timeout_ms = 200;
        { Store::open(path, Mode::Create, options).save_schedule(store_test::synthetic_schedule("kept", 3, 100)); }
        SQLite::Database holder(path, SQLite::OPEN_READWRITE);
        auto tx = std::make_unique<SQLite::Transaction>(holder, SQLite::TransactionBehavior::IMMEDIATE);
        Store s = Store::open(path, Mode::ReadWrite, options);
        try {
            s.import_profile(store_test::synthetic_profile({}));
            QFAIL("the import did not wait for the lock and fail");
        } catch (const StoreError& e) {
            QCOMPARE(e.kind(), StoreError::Kind::Locked);
            QVERIFY(QString(e.what()).contains("locked by another writer"));
        }
        QVERIFY_THROWS_EXCEPTION(StoreError, s.set_status(1, "approved"));
        tx.reset();  // the other writer finishes: the same store works again, nothing was half-done
        QVERIFY(s.list_runs().empty());
        QCOMPARE(s.schedule_history(1).size(), std::size_t(1));
        QCOMPARE(s.set_status(1, "approved").revision, 2);
    }
};

QTEST_GUILESS_MAIN(TestStoreBadFiles)
#include "tst_store_bad_files.moc"
