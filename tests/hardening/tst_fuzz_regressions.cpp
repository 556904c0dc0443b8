// The fuzz targets' inputs replayed in the normal build (issue #29): every seed of
// tests/fuzz/corpus/<target>/ and every input a fuzzer once crashed on, kept in
// tests/fuzz/regressions/<target>/, goes through the same body as the libFuzzer target
// (tests/fuzz/fuzz_bodies.h). A tp::FormatError is the accepted refusal; a crash or any other
// exception fails. A regression input may have a sidecar `<name>.expect` holding a piece of the
// error it must now give (or the single word `ok`: it must now be read without error).
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QtTest>

#include "tests/fuzz/fuzz_bodies.h"

namespace {

QString fuzz_dir() { return QStringLiteral(TAILPRUNE_SOURCE_DIR "/tests/fuzz"); }

// Targets whose body needs a part this build may leave out (the store: SQLiteCpp).
bool built_here(const QString& target) {
#ifdef TAILPRUNE_FUZZ_STORE
    Q_UNUSED(target);
    return true;
#else
    return target != QLatin1String("fuzz_store_rows");
#endif
}

QByteArray read_all(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) return {};
    return f.readAll();
}

}  // namespace

class FuzzRegressions : public QObject {
    Q_OBJECT
private Q_SLOTS:
    // Every target has seeds, and every corpus or regression folder belongs to a target.
    void targets_have_seeds() {
        for (const auto& [name, body] : tp::fuzz::bodies()) {
            QDir d(fuzz_dir() + "/corpus/" + QString::fromStdString(name));
            QVERIFY2(d.exists() && !d.entryList(QDir::Files).isEmpty(), qPrintable("no seeds for " + d.path()));
            QVERIFY2(QFile::exists(fuzz_dir() + "/" + QString::fromStdString(name) + ".cpp"),
                     qPrintable("no fuzz target source for " + QString::fromStdString(name)));
        }
        for (const char* kind : {"corpus", "regressions"}) {
            const QDir d(fuzz_dir() + "/" + kind);
            for (const QString& folder : d.entryList(QDir::Dirs | QDir::NoDotAndDotDot))
                if (built_here(folder))
                    QVERIFY2(tp::fuzz::bodies().count(folder.toStdString()) == 1,
                             qPrintable(d.path() + "/" + folder + " is not a fuzz target's name"));
        }
    }

    void replay_data() {
        QTest::addColumn<QString>("target");
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("expect");
        int rows = 0;
        for (const char* kind : {"corpus", "regressions"}) {
            QDirIterator it(fuzz_dir() + "/" + kind, QDir::Files, QDirIterator::Subdirectories);
            QStringList files;
            while (it.hasNext()) files << it.next();
            files.sort();
            for (const QString& path : files) {
                if (path.endsWith(".expect")) continue;
                const QString target = QFileInfo(path).dir().dirName();
                if (!built_here(target)) continue;
                QString expect;
                if (QFile::exists(path + ".expect")) expect = QString::fromUtf8(read_all(path + ".expect")).trimmed();
                const QString row = QString("%1/%2/%3").arg(kind, target, QFileInfo(path).fileName());
                QTest::newRow(qPrintable(row)) << target << path << expect;
                ++rows;
            }
        }
        QVERIFY2(rows > 0, "no inputs under tests/fuzz/corpus");
    }

    void replay() {
        QFETCH(QString, target);
        QFETCH(QString, path);
        QFETCH(QString, expect);
        const auto body = tp::fuzz::bodies().find(target.toStdString());
        QVERIFY2(body != tp::fuzz::bodies().end(), qPrintable("no fuzz target " + target));
        QVERIFY(QFile::exists(path));
        const QByteArray bytes = read_all(path);
        const std::string input(bytes.constData(), static_cast<size_t>(bytes.size()));
        std::string error;
        try {
            body->second(input);
        } catch (const tp::FormatError& e) {
            error = e.what();
        } catch (const std::exception& e) {
            QFAIL(qPrintable(QString("not a FormatError: ") + e.what()));
        }
        if (expect == "ok") {
            QVERIFY2(error.empty(), error.c_str());
        } else if (!expect.isEmpty()) {
            QVERIFY2(!error.empty(), qPrintable("read without error; expected: " + expect));
            QVERIFY2(QString::fromStdString(error).contains(expect),
                     qPrintable(QString::fromStdString(error) + " -- expected: " + expect));
        }
    }
};

QTEST_GUILESS_MAIN(FuzzRegressions)
#include "tst_fuzz_regressions.moc"
