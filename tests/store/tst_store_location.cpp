// Where the store is: --store, else $TAILPRUNE_STORE, else the per-user default; which file system.
#include <QtTest>

#include "core/store/store_location.h"

using namespace tp::store;

class TestStoreLocation : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void resolvesInOrder_data() {
        QTest::addColumn<QString>("explicitPath");
        QTest::addColumn<QString>("envStore");
        QTest::addColumn<QString>("xdg");
        QTest::addColumn<QString>("home");
        QTest::addColumn<QString>("expected");
        QTest::newRow("--store wins") << "/a/s.sqlite" << "/env/s.sqlite" << "/xdg" << "/home/u" << "/a/s.sqlite";
        QTest::newRow("then TAILPRUNE_STORE") << "" << "/env/s.sqlite" << "/xdg" << "/home/u" << "/env/s.sqlite";
        QTest::newRow("then XDG_DATA_HOME") << "" << "" << "/xdg" << "/home/u" << "/xdg/tailprune/store.sqlite";
        QTest::newRow("relative XDG_DATA_HOME is ignored")
            << "" << "" << "rel" << "/home/u" << "/home/u/.local/share/tailprune/store.sqlite";
        QTest::newRow("then ~/.local/share") << "" << "" << "" << "/home/u" << "/home/u/.local/share/tailprune/store.sqlite";
    }
    void resolvesInOrder() {
        QFETCH(QString, explicitPath);
        QFETCH(QString, envStore);
        QFETCH(QString, xdg);
        QFETCH(QString, home);
        QFETCH(QString, expected);
        auto set = [](const char* name, const QString& value) {
            if (value.isEmpty()) qunsetenv(name); else qputenv(name, value.toLocal8Bit());
        };
        set("TAILPRUNE_STORE", envStore);
        set("XDG_DATA_HOME", xdg);
        set("HOME", home);
        QCOMPARE(QString::fromStdString(resolve_store_path(explicitPath.toStdString())), expected);
    }

    void localFolderIsNotANetworkShare() {
        QTemporaryDir dir;
        FileSystemInfo info = file_system_of(dir.filePath("not-yet-created/store.sqlite").toStdString());
        QVERIFY(!info.network);
        QCOMPARE(QString::fromStdString(info.name), QString("local"));
    }
};

QTEST_GUILESS_MAIN(TestStoreLocation)
#include "tst_store_location.moc"
