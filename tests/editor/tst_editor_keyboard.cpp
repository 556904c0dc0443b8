// Keyboard editing: ] and [ select points, arrows move the selected one (Shift: 10 tokens), Insert
// adds a point, Delete removes it, all within the same rules as the mouse.
#include <QTest>

#include "editor_harness.h"

using namespace tp;

class TestEditorKeyboard : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void keysEditPoints_data();
    void keysEditPoints();
};

void TestEditorKeyboard::keysEditPoints_data() {
    QTest::addColumn<QString>("keys");       // space-separated: up down left right shift+up shift+down ] [ ins del
    QTest::addColumn<QString>("expected");   // block:tokens of every point after the keys
    // Start: block 3 keeps 150, block 7 keeps 100 (Top-K); no point selected.
    QTest::newRow("select first, one token down") << "] down" << "3:149 7:100";
    QTest::newRow("shift moves ten tokens") << "] shift+down shift+down" << "3:130 7:100";
    QTest::newRow("up and down cancel") << "] up up down" << "3:151 7:100";
    QTest::newRow("second point one block right") << "] ] right" << "3:150 8:100";
    QTest::newRow("[ wraps to the last point") << "[ left left" << "3:150 5:100";
    QTest::newRow("blocks stop at the neighbour") << "] right right right right right" << "6:150 7:100";
    QTest::newRow("tokens stop above the next point") << "] shift+down shift+down shift+down shift+down shift+down shift+down" << "3:101 7:100";
    QTest::newRow("delete the selected point") << "] del" << "7:100";
    QTest::newRow("insert adds after the last point") << "ins" << "3:150 7:100 9:51";
    QTest::newRow("no selection: arrows do nothing") << "down left" << "3:150 7:100";
}

void TestEditorKeyboard::keysEditPoints() {
    QFETCH(QString, keys);
    QFETCH(QString, expected);
    auto editor = test::make_editor();
    QVERIFY(editor->openSchedule(test::schedule_with_points(*editor, {{3, 150}, {7, 100}})));
    editor->selectPoint(-1);
    const QMap<QString, QPair<Qt::Key, Qt::KeyboardModifiers>> map = {
        {"up", {Qt::Key_Up, Qt::NoModifier}},         {"down", {Qt::Key_Down, Qt::NoModifier}},
        {"left", {Qt::Key_Left, Qt::NoModifier}},     {"right", {Qt::Key_Right, Qt::NoModifier}},
        {"shift+up", {Qt::Key_Up, Qt::ShiftModifier}}, {"shift+down", {Qt::Key_Down, Qt::ShiftModifier}},
        {"]", {Qt::Key_BracketRight, Qt::NoModifier}}, {"[", {Qt::Key_BracketLeft, Qt::NoModifier}},
        {"ins", {Qt::Key_Insert, Qt::NoModifier}},    {"del", {Qt::Key_Delete, Qt::NoModifier}}};
    for (const QString& k : keys.split(' ', Qt::SkipEmptyParts)) {
        QVERIFY2(map.contains(k), qPrintable(k));
        QTest::keyClick(editor->plot(), map[k].first, map[k].second);
    }
    QStringList got;
    for (const PruningPoint& p : editor->schedule().pruning_points()) got << QString("%1:%2").arg(p.block).arg(p.tokens);
    QCOMPARE(got.join(' '), expected);
}

QTEST_MAIN(TestEditorKeyboard)
#include "tst_editor_keyboard.moc"
