// Save → store → reopen: a schedule edited in the editor is saved as a revision (name, notes,
// status), opened again from the store (latest or an older revision) and exported for deployment.
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include "core/model/schedule_json.h"
#include "editor_harness.h"
#include "ui/editor/schedule_actions.h"

using namespace tp;

class TestEditorStore : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void saveAndReopen_data();
    void saveAndReopen();
    void reopenAnOlderRevision();
    void exportForDeployment_data();
    void exportForDeployment();
    void badInputLosesNothing();
    void opensAScheduleFile_data();
    void opensAScheduleFile();
};

void TestEditorStore::saveAndReopen_data() {
    QTest::addColumn<QString>("method");
    QTest::addColumn<QString>("status");
    QTest::addColumn<QString>("notes");
    QTest::newRow("Top-K draft") << "topk" << "draft" << "";
    QTest::newRow("POMT approved with notes") << "pomt" << "approved" << "just below the 129 edge\nchecked on 2 devices";
    QTest::newRow("random deployed") << "random" << "deployed" << "seeded";
}

void TestEditorStore::saveAndReopen() {
    QFETCH(QString, method);
    QFETCH(QString, status);
    QFETCH(QString, notes);
    QTemporaryDir dir;
    auto editor = test::make_editor();
    ui::ScheduleActions actions(editor.get(), nullptr);
    actions.setStorePath(dir.filePath("store.sqlite"));
    QVERIFY(editor->openSchedule(test::schedule_with_points(*editor, {{3, 150}, {7, 90}}, method.toStdString())));
    test::drag_handle(editor->plot(), 0, 3, 131);  // magnet: 128 on deployed:3
    const std::vector<int> edited = editor->schedule().tokens_after_block;
    QCOMPARE(edited[3], 128);
    QVERIFY2(actions.save("below-edge", notes, status), qPrintable(actions.message()));

    // A fresh editor (another studio) opens it from the store.
    auto other = test::make_editor();
    ui::ScheduleActions otherActions(other.get(), nullptr);
    otherActions.setStorePath(dir.filePath("store.sqlite"));
    QVERIFY2(otherActions.open("below-edge"), qPrintable(otherActions.message()));
    const Schedule& s = other->schedule();
    QCOMPARE(s.tokens_after_block, edited);
    QCOMPARE(QString::fromStdString(s.method), method);
    QCOMPARE(QString::fromStdString(s.status), status);
    QCOMPARE(QString::fromStdString(s.notes), notes);
    QCOMPARE(s.revision, 1);
    QCOMPARE(s.device.name, std::string("gpu-16sm-tile32"));
    QCOMPARE(other->plot()->handlePixel(0), other->plot()->pixelFor(3, 128));
}

void TestEditorStore::reopenAnOlderRevision() {
    QTemporaryDir dir;
    auto editor = test::make_editor();
    ui::ScheduleActions actions(editor.get(), nullptr);
    actions.setStorePath(dir.filePath("store.sqlite"));
    QVERIFY(editor->openSchedule(test::schedule_with_points(*editor, {{3, 150}})));
    QVERIFY(actions.save("s", "", "draft"));
    const auto first = editor->schedule().tokens_after_block;
    test::drag_handle(editor->plot(), 0, 5, 100, Qt::AltModifier);
    QVERIFY(actions.save("s", "moved", "draft"));
    const auto second = editor->schedule().tokens_after_block;
    QVERIFY(first != second);
    QVERIFY(actions.open("s", 1));
    QCOMPARE(editor->schedule().tokens_after_block, first);
    QCOMPARE(editor->schedule().revision, 1);
    QVERIFY(actions.open("s"));
    QCOMPARE(editor->schedule().tokens_after_block, second);
    QCOMPARE(editor->schedule().revision, 2);
}

void TestEditorStore::exportForDeployment_data() {
    QTest::addColumn<QString>("file");
    QTest::newRow("json") << "schedule.json";
    QTest::newRow("csv") << "schedule.csv";
}

void TestEditorStore::exportForDeployment() {
    QFETCH(QString, file);
    QTemporaryDir dir;
    auto editor = test::make_editor();
    ui::ScheduleActions actions(editor.get(), nullptr);
    QVERIFY(editor->openSchedule(test::schedule_with_points(*editor, {{3, 128}, {8, 64}})));
    const QString path = dir.filePath(file);
    QVERIFY2(actions.exportTo(path), qPrintable(actions.message()));
    if (file.endsWith(".json")) {
        const Schedule back = load_schedule(path.toStdString());
        QCOMPARE(back.tokens_after_block, editor->schedule().tokens_after_block);
        QCOMPARE(back.method, editor->schedule().method);
    } else {
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QString text = QString::fromUtf8(f.readAll());
        QVERIFY2(text.contains("128") && text.contains("64") && text.contains("topk"), qPrintable(text));
    }
}

void TestEditorStore::badInputLosesNothing() {
    QTemporaryDir dir;
    auto editor = test::make_editor();
    ui::ScheduleActions actions(editor.get(), nullptr);
    QVERIFY(editor->openSchedule(test::schedule_with_points(*editor, {{3, 150}})));
    const auto before = editor->schedule().tokens_after_block;
    // Not a store: one clear error, the schedule unchanged.
    QFile junk(dir.filePath("junk.sqlite"));
    QVERIFY(junk.open(QIODevice::WriteOnly));
    junk.write("this is not an sqlite file at all, just text long enough to be read as a header");
    junk.close();
    actions.setStorePath(junk.fileName());
    QVERIFY(!actions.save("x", "", "draft"));
    QVERIFY2(actions.message().startsWith("Save failed: "), qPrintable(actions.message()));
    QVERIFY(!actions.open("x"));
    QVERIFY(!actions.save("", "", "draft"));
    QVERIFY(actions.message().contains("needs a name"));
    QVERIFY(!actions.exportTo(dir.filePath("no/such/folder/s.json")));
    QCOMPARE(editor->schedule().tokens_after_block, before);
    // Actions that need an agent say so.
    QVERIFY(!actions.measure());
    QVERIFY(actions.message().contains("No agent"));
}

// Open file…: a schedule JSON (an export, `tailprune search -o`) opens on a loaded profile of its
// model — switching device when the active one is of another model — or says why not and changes nothing.
void TestEditorStore::opensAScheduleFile_data() {
    QTest::addColumn<QString>("content");      // "schedule": a valid one of `model`, else the file's text
    QTest::addColumn<QString>("model");        // deit_small | small_vit (no profile of it loaded unless `withSmall`)
    QTest::addColumn<QString>("device");       // the schedule's recorded device
    QTest::addColumn<bool>("withSmall");       // a profile of small_vit is loaded too (after the five)
    QTest::addColumn<int>("activeAfter");      // -1: the open fails
    QTest::addColumn<QString>("message");
    QTest::newRow("its model on another device: switches to it") << "schedule" << "small_vit" << "" << true << 5 << "Opened";
    QTest::newRow("its own device among five of its model") << "schedule" << "deit_small" << "gpu-132sm-tile16" << false << 1 << "Opened";
    QTest::newRow("unknown device: the active one stays") << "schedule" << "deit_small" << "jetson-orin" << false << 0 << "Opened";
    QTest::newRow("no loaded profile of its model") << "schedule" << "small_vit" << "" << false << -1 << "no loaded profile is of that model";
    QTest::newRow("not JSON") << "{\"format\": \"tailprune-schedule\", " << "" << "" << true << -1 << "Cannot open";
    QTest::newRow("a profile, not a schedule") << "{\"format\": \"tailprune-profile\", \"format_version\": 1}" << "" << ""
                                               << true << -1 << "Cannot open";
}

void TestEditorStore::opensAScheduleFile() {
    QFETCH(QString, content);
    QFETCH(QString, model);
    QFETCH(QString, device);
    QFETCH(bool, withSmall);
    QFETCH(int, activeAfter);
    QFETCH(QString, message);
    QTemporaryDir dir;
    auto editor = test::make_editor();
    if (withSmall) {
        ModelInfo small = test::small_vit_model();
        small.name = "small_vit";
        auto p = std::make_shared<const Profile>(test::synthetic_profile(test::device_shapes()[0], small, {}));
        editor->library()->add(ui::LoadedProfile{p, ui::ProfileOrigin::Store, "store:small"});
    }
    ui::ScheduleActions actions(editor.get(), nullptr);
    QVERIFY(editor->openSchedule(test::schedule_with_points(*editor, {{3, 150}})));
    const auto before = editor->schedule().tokens_after_block;
    const QString path = dir.filePath("s.json");
    Schedule s;
    if (content == "schedule") {
        s.name = "from-a-file";
        s.method = "topk";
        s.model = model == "small_vit" ? test::small_vit_model() : test::deit_small_model();
        if (model == "small_vit") s.model.name = "small_vit";
        s.device.name = device.toStdString();
        s.tokens_after_block = tokens_from_points(s.model.depth, s.model.tokens, {{2, s.model.tokens / 2}});
        save_schedule(s, path.toStdString());
    } else {
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(content.toUtf8());
    }
    const bool ok = actions.importFrom(path);
    QVERIFY2(actions.message().contains(message), qPrintable(actions.message()));
    QCOMPARE(ok, activeAfter >= 0);
    if (ok) {
        QCOMPARE(editor->activeProfile(), editor->library()->at(activeAfter).profile.get());
        QCOMPARE(editor->schedule().tokens_after_block, s.tokens_after_block);
        QCOMPARE(editor->schedule().name, s.name);
    } else {
        QCOMPARE(editor->activeProfile(), editor->library()->at(0).profile.get());
        QCOMPARE(editor->schedule().tokens_after_block, before);
    }
}

QTEST_MAIN(TestEditorStore)
#include "tst_editor_store.moc"
