// Every TailPrune JSON document in the repository is checked by the C++ validator; the same list
// is checked against the JSON Schemas by scripts/check_fixtures.py (ctest: schema_fixtures).
// Documents under a folder named bad/ must be rejected, all others accepted.
#include <QtTest>

#include <nlohmann/json.hpp>

#include "core/model/profile_json.h"
#include "core/model/schedule_json.h"
#include "core/util/json_reader.h"

using namespace tp;

class TestFixtures : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void everyDocumentMatchesItsFolder_data() {
        QTest::addColumn<QString>("path");
        QTest::addColumn<bool>("expectValid");
        const QDir root(QStringLiteral(TAILPRUNE_SOURCE_DIR));
        int rows = 0;
        QDirIterator it(root.path(), {"*.json", "*.json.gz"}, QDir::Files, QDirIterator::Subdirectories);
        while (it.hasNext()) {
            const QString path = it.next();
            const QString rel = root.relativeFilePath(path);
            // Fuzzing corpora hold wrong documents on purpose (tests/fuzz/corpus), with no bad/ folder.
            if (rel.startsWith("build") || rel.startsWith(".git") || rel.startsWith("tests/fuzz/")) continue;
            const bool bad = rel.split('/').contains("bad");
            if (!bad) {
                const auto doc = nlohmann::json::parse(read_text_file(path.toStdString()), nullptr, false);
                const std::string format = doc.is_object() && doc.contains("format") && doc["format"].is_string()
                                               ? doc["format"].get<std::string>() : "";
                if (format != "tailprune-profile" && format != "tailprune-schedule") continue;
            }
            QTest::newRow(rel.toUtf8().constData()) << path << !bad;
            ++rows;
        }
        QVERIFY2(rows >= 3, "expected the repository's fixtures to be found");
    }
    void everyDocumentMatchesItsFolder() {
        QFETCH(QString, path);
        QFETCH(bool, expectValid);
        std::string error;
        try {
            const std::string text = read_text_file(path.toStdString());
            nlohmann::json doc = parse_json_text(text, path.toStdString());
            if (doc.is_object() && doc.value("format", "") == "tailprune-schedule")
                parse_schedule(text, path.toStdString());
            else
                parse_profile(text, path.toStdString());
        } catch (const FormatError& e) {
            error = e.what();
        }
        if (expectValid) QVERIFY2(error.empty(), error.c_str());
        else QVERIFY2(!error.empty(), "a bad fixture was accepted");
    }
};

QTEST_GUILESS_MAIN(TestFixtures)
#include "tst_fixtures.moc"
