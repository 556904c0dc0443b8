// Every edit (drag, add, remove, keyboard move, method, parameter) is one undo step that restores
// the schedule exactly, and redo re-applies it.
#include <QTest>

#include "editor_harness.h"

using namespace tp;

namespace {
struct State {
    std::vector<int> tokens;
    std::string method;
    std::map<std::string, double> parameters;
    bool operator==(const State& o) const {
        return tokens == o.tokens && method == o.method && parameters == o.parameters;
    }
};
State state(const ui::ScheduleEditor& e) { return {e.schedule().tokens_after_block, e.schedule().method, e.schedule().parameters}; }
}  // namespace

class TestEditorUndo : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void undoRedoEachEdit_data();
    void undoRedoEachEdit();
    void undoAcrossSeveralEdits();
};

void TestEditorUndo::undoRedoEachEdit_data() {
    QTest::addColumn<QString>("edit");
    QTest::newRow("drag") << "drag";
    QTest::newRow("add point") << "add";
    QTest::newRow("remove point") << "remove";
    QTest::newRow("arrow key") << "key";
    QTest::newRow("method") << "method";
    QTest::newRow("parameter") << "parameter";
}

void TestEditorUndo::undoRedoEachEdit() {
    QFETCH(QString, edit);
    auto editor = test::make_editor();
    QVERIFY(editor->openSchedule(test::schedule_with_points(*editor, {{3, 150}, {7, 90}}, "random")));
    editor->selectPoint(1);
    const State before = state(*editor);
    QUndoStack* stack = editor->document()->undoStack();
    QCOMPARE(stack->count(), 0);
    if (edit == "drag") test::drag_handle(editor->plot(), 0, 2, 120, Qt::AltModifier);
    else if (edit == "add") QVERIFY(editor->addPoint());
    else if (edit == "remove") QVERIFY(editor->removeSelectedPoint());
    else if (edit == "key") QTest::keyClick(editor->plot(), Qt::Key_Down, Qt::ShiftModifier);
    else if (edit == "method") QVERIFY(editor->setMethod("zerotprune"));
    else if (edit == "parameter") QVERIFY(editor->setParameter("seed", 42));
    const State after = state(*editor);
    QVERIFY(!(after == before));
    QCOMPARE(stack->count(), 1);
    stack->undo();
    QVERIFY(state(*editor) == before);
    stack->redo();
    QVERIFY(state(*editor) == after);
}

void TestEditorUndo::undoAcrossSeveralEdits() {
    auto editor = test::make_editor();
    QVERIFY(editor->openSchedule(test::schedule_with_points(*editor, {{3, 150}})));
    std::vector<State> history{state(*editor)};
    test::drag_handle(editor->plot(), 0, 4, 130, Qt::AltModifier);
    history.push_back(state(*editor));
    QVERIFY(editor->addPoint());
    history.push_back(state(*editor));
    QTest::keyClick(editor->plot(), Qt::Key_Left);
    history.push_back(state(*editor));
    QUndoStack* stack = editor->document()->undoStack();
    QCOMPARE(stack->count(), 3);
    for (int i = 2; i >= 0; --i) {
        // Ctrl+Z on the editor, as a user would.
        QTest::keySequence(editor.get(), QKeySequence::Undo);
        QVERIFY2(state(*editor) == history[std::size_t(i)], qPrintable(QString("after undo to %1").arg(i)));
    }
    QVERIFY(!stack->canUndo());
    for (int i = 1; i <= 3; ++i) {
        QTest::keySequence(editor.get(), QKeySequence::Redo);
        QVERIFY(state(*editor) == history[std::size_t(i)]);
    }
}

QTEST_MAIN(TestEditorUndo)
#include "tst_editor_undo.moc"
