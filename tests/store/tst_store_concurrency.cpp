// Real processes on one store: writers import and edit at once while another writer is killed with
// SIGKILL in the middle of its transaction. Afterwards the store is clean, every write a process
// reported is there, and nothing is half-written. Runs in WAL and in rollback-journal mode.
#include <QtTest>

#include <csignal>
#include <fstream>
#include <set>

#include <sys/stat.h>

#include "core/model/profile_json.h"
#include "core/model/schedule_json.h"
#include "core/store/store.h"
#include "store_fixtures.h"

using namespace tp;
using namespace tp::store;

namespace {

const QString kShared = "shared-schedule";

struct Writer {
    QStringList args;
    std::unique_ptr<QProcess> process;
};

QProcessEnvironment environment(const QString& journal) {
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert("TAILPRUNE_STORE_JOURNAL", journal);
    env.insert("TAILPRUNE_STORE_TIMEOUT_MS", "30000");
    env.remove("TAILPRUNE_STORE");
    return env;
}

std::unique_ptr<QProcess> start(const QStringList& args, const QProcessEnvironment& env) {
    auto p = std::make_unique<QProcess>();
    p->setProcessEnvironment(env);
    p->start(QString::fromLocal8Bit(qgetenv("TAILPRUNE_CLI")), args);
    return p;
}

// True while `pid` holds the store's write lock: the RESERVED byte of the database file in rollback
// mode, the WAL write-lock byte (120) of the -shm file in WAL mode (SQLite's unix VFS, fcntl locks).
bool holds_write_lock(qint64 pid, const std::string& db, bool wal) {
    struct stat st {};
    if (::stat((wal ? db + "-shm" : db).c_str(), &st) != 0) return false;
    const std::string inode = ":" + std::to_string(st.st_ino) + " ";
    const std::string range = wal ? "120 120" : "1073741825 1073741825";
    std::ifstream locks("/proc/locks");
    std::string line;
    while (std::getline(locks, line)) {
        if (line.find(" WRITE " + std::to_string(pid) + " ") != std::string::npos &&
            line.find(inode) != std::string::npos && line.find(range) != std::string::npos)
            return true;
    }
    return false;
}

}  // namespace

class TestStoreConcurrency : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { QVERIFY2(!qgetenv("TAILPRUNE_CLI").isEmpty(), "TAILPRUNE_CLI must name the built CLI"); }

    void writersSurviveAKilledWriter_data() {
        QTest::addColumn<QString>("journal");
        QTest::newRow("wal") << "wal";
        QTest::newRow("rollback") << "rollback";
    }
    void writersSurviveAKilledWriter() {
        QFETCH(QString, journal);
        const bool wal = journal == "wal";
        QTemporaryDir dir;
        const std::string db = dir.filePath("shared.sqlite").toStdString();
        const QString store = QString::fromStdString(db);
        Options options;
        options.journal = wal ? Journal::Wal : Journal::Rollback;

        // Files the processes import: small profiles (two overlapping sets), schedule edits, big profiles.
        std::map<QString, std::string> profile_json;      // file -> canonical JSON
        std::map<QString, std::vector<int>> schedule_tokens;
        auto write_profile = [&](const QString& name, const store_test::ProfileShape& shape) {
            QString file = dir.filePath(name);
            Profile p = store_test::synthetic_profile(shape);
            save_profile(p, file.toStdString());
            profile_json[file] = to_json(p).dump();
            return file;
        };
        QStringList small, big, edits_a, edits_b;
        for (int i = 1; i <= 9; ++i) {
            store_test::ProfileShape shape;
            shape.seed = i;
            small << write_profile(QString("small%1.json").arg(i), shape);
        }
        for (int i = 1; i <= 8; ++i) {
            store_test::ProfileShape shape;
            shape.seed = 100 + i;
            shape.curves = 40;
            shape.points = 190;
            shape.optionals = false;
            big << write_profile(QString("big%1.json").arg(i), shape);
        }
        for (int i = 0; i < 12; ++i) {
            Schedule s = store_test::synthetic_schedule(kShared.toStdString(), 1 + i % 10, 190 - i);
            QString file = dir.filePath(QString("edit%1.schedule.json").arg(i));
            save_schedule(s, file.toStdString());
            schedule_tokens[file] = s.tokens_after_block;
            (i % 2 ? edits_b : edits_a) << file;
        }

        Store watcher = Store::open(db, Mode::Create, options);  // stays open: keeps the -shm in place
        watcher.save_schedule(store_test::synthetic_schedule(kShared.toStdString(), 2, 150));
        QCOMPARE(QString::fromStdString(watcher.journal_mode()), wal ? QString("wal") : QString("delete"));

        const QProcessEnvironment env = environment(journal);
        const QStringList base = {"store", "import", "--store", store};
        std::vector<Writer> writers;
        writers.push_back({base + small.mid(0, 6), nullptr});
        writers.push_back({base + small.mid(3, 6), nullptr});  // overlaps: the same content arrives twice
        writers.push_back({base + edits_a, nullptr});
        writers.push_back({base + edits_b, nullptr});
        writers.push_back({{"store", "set-status", "--store", store, kShared, "approved"}, nullptr});
        auto victim = start(base + big, env);
        QVERIFY(victim->waitForStarted(10000));
        for (auto& w : writers) w.process = start(w.args, env);

        // Kill the victim while it holds the write lock, i.e. inside its transaction, once it has
        // reported at least one committed import (so its reported writes are checked too).
        QElapsedTimer clock;
        clock.start();
        bool killed_mid_write = false;
        while (clock.elapsed() < 30000 && victim->state() != QProcess::NotRunning) {
            victim->waitForReadyRead(0);
            if (victim->peek(1 << 16).contains('\n') && holds_write_lock(victim->processId(), db, wal)) {
                ::kill(static_cast<pid_t>(victim->processId()), SIGKILL);
                killed_mid_write = true;
                break;
            }
            QThread::usleep(300);
        }
        QVERIFY2(killed_mid_write, "the victim never held the write lock after its first import");
        QVERIFY(victim->waitForFinished(10000));
        QCOMPARE(victim->exitStatus(), QProcess::CrashExit);
        for (auto& w : writers) {
            QVERIFY(w.process->waitForFinished(60000));
            QVERIFY2(w.process->exitCode() == 0, w.process->readAllStandardError().constData());
        }

        // `store check` (a fresh process) is clean.
        auto check = start({"store", "check", "--store", store}, env);
        QVERIFY(check->waitForFinished(60000));
        QVERIFY2(check->exitCode() == 0, check->readAllStandardOutput().constData());

        // Every write a process reported is there, exactly as written.
        QRegularExpression imported("^imported (.+): run (\\d+) .* hash ([0-9a-f]{64})");
        QRegularExpression saved("^saved (.+): schedule '.*' id (\\d+) revision (\\d+)$");
        QRegularExpression status("^schedule id (\\d+) revision (\\d+): (\\w+)$");
        Store s = Store::open(db, Mode::ReadOnly, options);
        std::set<int> revisions{1};
        int reported = 0, victim_reported = 0;
        auto verify_lines = [&](QProcess& p, int* counter) {
            const QStringList lines = QString::fromUtf8(p.readAllStandardOutput()).split('\n', Qt::SkipEmptyParts);
            for (const QString& line : lines) {
                ++*counter;
                if (auto m = imported.match(line); m.hasMatch()) {
                    Profile back = s.load_profile(m.captured(2).toLongLong());
                    QCOMPARE(QString::fromStdString(to_json(back).dump()),
                             QString::fromStdString(profile_json.at(m.captured(1))));
                } else if (auto m = saved.match(line); m.hasMatch()) {
                    Schedule back = s.load_schedule(m.captured(2).toLongLong(), m.captured(3).toInt());
                    QVERIFY(back.tokens_after_block == schedule_tokens.at(m.captured(1)));
                    QVERIFY(revisions.insert(m.captured(3).toInt()).second);
                } else if (auto m = status.match(line); m.hasMatch()) {
                    Schedule back = s.load_schedule(m.captured(1).toLongLong(), m.captured(2).toInt());
                    QCOMPARE(QString::fromStdString(back.status), m.captured(3));
                    QVERIFY(revisions.insert(m.captured(2).toInt()).second);
                } else {
                    QFAIL(qPrintable("unexpected output: " + line));
                }
            }
        };
        for (auto& w : writers) verify_lines(*w.process, &reported);
        verify_lines(*victim, &victim_reported);
        QCOMPARE(reported, 6 + 6 + 12 + 1);

        // Nothing half-written: every run is one of the files, whole (store check compared hashes),
        // each content once; the killed import is absent; revisions are exactly the reported ones.
        std::set<std::string> known_hashes;
        for (const auto& [file, json] : profile_json) known_hashes.insert(profile_hash(profile_from_json(nlohmann::json::parse(json))));
        auto runs = s.list_runs();
        QCOMPARE(int(runs.size()), 9 + victim_reported);
        for (const auto& r : runs) QVERIFY(known_hashes.count(r.content_hash) == 1);
        auto history = s.schedule_history(s.find_schedule(kShared.toStdString()));
        QCOMPARE(int(history.size()), int(revisions.size()));
        QCOMPARE(history.back().revision, int(revisions.size()));
        qInfo("%s: victim killed mid-write after %d committed import(s), %lld ms", qPrintable(journal),
              victim_reported, static_cast<long long>(clock.elapsed()));
    }
};

QTEST_GUILESS_MAIN(TestStoreConcurrency)
#include "tst_store_concurrency.moc"
