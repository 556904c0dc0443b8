// The editor's "Re-level for this machine" button (issue 27) as a user presses it: on a profile
// measured here and read from a file, it runs `tailprune calibrate-latency` with the real runtime,
// shows its progress, and when done every view re-reads the profile with this machine's record
// (the button then offers to re-level again); pressed again while it runs, it cancels and nothing
// is written.
#include <QDir>
#include <QPushButton>
#include <QTemporaryDir>
#include <QTest>

#include "core/model/profile_json.h"
#include "editor_fixtures.h"
#include "tests/cli/cli_runner.h"
#include "ui/editor/schedule_editor.h"
#include "ui/profile_library.h"

using namespace tp;

namespace {

QStringList recordsIn(const QString& dir) {
    return QDir(dir).entryList({"here.calibration.*.json"}, QDir::Files);
}

}  // namespace

class TestEditorRelevel : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    QString profile_;

private Q_SLOTS:
    void initTestCase() {
        QVERIFY2(!tailpruneCli().isEmpty(), "TAILPRUNE_CLI is not set (run through ctest)");
        qputenv("TAILPRUNE_CLI", tailpruneCli().toUtf8());  // the editor starts the same CLI
        profile_ = dir_.filePath("here.json");
        const CliResult r = runCli(QStringList{"profile", "--weights", bundledWeights(), "--scope", "model", "--scope",
                                               "prune:topk:3:50", "--tokens", "10,20,30,40,49", "-o", profile_, "-q"} +
                                       kQuickTiming,
                                   120000);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    }

    void cleanup() {
        for (const QString& f : recordsIn(dir_.path())) QFile::remove(dir_.filePath(f));
    }

    void buttonRelevelsOrCancels_data() {
        QTest::addColumn<bool>("cancel");
        QTest::newRow("run to the end: the record is written and used") << false;
        QTest::newRow("pressed again while it runs: cancelled, nothing written") << true;
    }
    void buttonRelevelsOrCancels() {
        QFETCH(bool, cancel);
        ui::ScheduleEditor editor;
        editor.resize(1400, 900);
        auto* library = new ui::ProfileLibrary(&editor);
        library->add(ui::LoadedProfile{std::make_shared<const Profile>(load_profile(profile_.toStdString())),
                                       ui::ProfileOrigin::File, profile_});
        editor.setLibrary(library);
        editor.setActiveDevice(0);
        editor.show();
        QVERIFY(QTest::qWaitForWindowExposed(&editor));
        auto* button = editor.findChild<QPushButton*>("relevelButton");
        QVERIFY(button);
        QVERIFY2(button->isEnabled(), qPrintable(button->toolTip()));
        QCOMPARE(button->text(), QString("Re-level for this machine"));

        QTest::mouseClick(button, Qt::LeftButton);
        QCOMPARE(button->text(), QString("Cancel re-level"));
        if (cancel) {
            QTest::qWait(300);  // the CLI has started measuring
            QTest::mouseClick(button, Qt::LeftButton);
            QTRY_COMPARE_WITH_TIMEOUT(button->text(), QString("Re-level for this machine"), 60000);
            QVERIFY2(editor.statusText().contains("cancelled"), qPrintable(editor.statusText()));
            QVERIFY(recordsIn(dir_.path()).isEmpty());
            return;
        }
        QTRY_COMPARE_WITH_TIMEOUT(button->text(), QString("Re-level again for this machine"), 120000);
        QVERIFY2(editor.statusText().contains("re-levelled fmnist_vit8 for"), qPrintable(editor.statusText()));
        QCOMPARE(recordsIn(dir_.path()).size(), 1);
    }
};

QTEST_MAIN(TestEditorRelevel)
#include "tst_editor_relevel.moc"
