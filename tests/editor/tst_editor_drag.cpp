// Real mouse events on a handle (press, move, release) change the schedule and every readout.
#include <QTest>

#include "editor_harness.h"
#include "ui/editor/block_readout.h"
#include "ui/editor/latency_readout.h"

using namespace tp;

namespace {
double leadingNumber(const QString& text) { return text.section(' ', 0, 0).toDouble(); }
}  // namespace

class TestEditorDrag : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void dragMovesPoint_data();
    void dragMovesPoint();
    void readoutsFollowTheDrag();
    void previewDuringDragCommitsOnRelease();
};

void TestEditorDrag::dragMovesPoint_data() {
    QTest::addColumn<int>("index");
    QTest::addColumn<double>("block");
    QTest::addColumn<double>("tokens");
    QTest::addColumn<bool>("alt");
    QTest::addColumn<int>("expectedBlock");
    QTest::addColumn<int>("expectedTokens");
    // Starting points: block 3 keeps 150, block 7 keeps 100 (Top-K on the tile-32 GPU).
    QTest::newRow("down inside a plateau, magnet off") << 0 << 3.0 << 140.0 << true << 3 << 140;
    QTest::newRow("to the next block") << 0 << 4.0 << 150.0 << true << 4 << 150;
    QTest::newRow("fractional position snaps to integers") << 0 << 2.4 << 143.4 << true << 2 << 143;
    QTest::newRow("above the input length is clamped") << 0 << 3.0 << 260.0 << true << 3 << 196;
    QTest::newRow("cannot pass the next point's block") << 0 << 9.0 << 150.0 << true << 6 << 150;
    QTest::newRow("keeps more tokens than the next point") << 0 << 3.0 << 40.0 << true << 3 << 101;
    QTest::newRow("second point cannot go past the last block") << 1 << 15.0 << 100.0 << true << 11 << 100;
    QTest::newRow("second point cannot rise to the first") << 1 << 7.0 << 180.0 << true << 7 << 149;
    QTest::newRow("second point keeps CLS") << 1 << 7.0 << -30.0 << true << 7 << 1;
}

void TestEditorDrag::dragMovesPoint() {
    QFETCH(int, index);
    QFETCH(double, block);
    QFETCH(double, tokens);
    QFETCH(bool, alt);
    QFETCH(int, expectedBlock);
    QFETCH(int, expectedTokens);
    auto editor = test::make_editor();
    QVERIFY(editor->openSchedule(test::schedule_with_points(*editor, {{3, 150}, {7, 100}})));
    test::drag_handle(editor->plot(), index, block, tokens, alt ? Qt::AltModifier : Qt::NoModifier);
    const auto points = editor->schedule().pruning_points();
    QCOMPARE(points.size(), std::size_t(2));
    QCOMPARE(points[std::size_t(index)].block, expectedBlock);
    QCOMPARE(points[std::size_t(index)].tokens, expectedTokens);
    QCOMPARE(editor->plot()->handlePixel(index), editor->plot()->pixelFor(expectedBlock, expectedTokens));
}

void TestEditorDrag::readoutsFollowTheDrag() {
    auto editor = test::make_editor();
    QVERIFY(editor->openSchedule(test::schedule_with_points(*editor, {{3, 190}})));
    ui::LatencyReadout* latency = editor->latencyReadout();
    QCOMPARE(latency->rowCount(), 5);
    const double before = leadingNumber(latency->cellText(0, 1));
    const QString overlaidBefore = latency->cellText(2, 1);
    QVERIFY2(before > 0, qPrintable(latency->cellText(0, 1) + " / " + latency->cellText(0, 3)));
    const QString edgeBefore = editor->blockReadout()->edgeText(5);
    // Down across three tile-32 edges (190 → 100): the active device and every overlay get faster.
    test::drag_handle(editor->plot(), 0, 3, 100, Qt::AltModifier);
    QCOMPARE(editor->schedule().tokens_after_block[5], 100);
    const double after = leadingNumber(latency->cellText(0, 1));
    QVERIFY2(after < before * 0.95, qPrintable(QString("%1 -> %2").arg(before).arg(after)));
    QVERIFY(latency->cellText(0, 2).startsWith('-'));
    QVERIFY(latency->cellText(2, 1) != overlaidBefore);
    for (int row = 0; row < 5; ++row) QVERIFY(latency->cellText(row, 1).endsWith(" ms"));
    QVERIFY(editor->blockReadout()->edgeText(5) != edgeBefore);
    QVERIFY2(editor->blockReadout()->edgeText(5).contains("plateau 97–128"), qPrintable(editor->blockReadout()->edgeText(5)));
}

void TestEditorDrag::previewDuringDragCommitsOnRelease() {
    auto editor = test::make_editor();
    QVERIFY(editor->openSchedule(test::schedule_with_points(*editor, {{3, 150}})));
    const int undoBefore = editor->document()->undoStack()->count();
    test::drag_handle(editor->plot(), 0, 3, 110, Qt::AltModifier, /*release=*/false);
    QVERIFY(editor->plot()->dragging());
    QCOMPARE(editor->schedule().tokens_after_block[3], 110);  // live while the button is down
    QCOMPARE(editor->document()->undoStack()->count(), undoBefore);
    QTest::mouseRelease(editor->plot(), Qt::LeftButton, Qt::AltModifier, editor->plot()->pixelFor(3, 110));
    QVERIFY(!editor->plot()->dragging());
    QCOMPARE(editor->document()->undoStack()->count(), undoBefore + 1);
    QCOMPARE(editor->schedule().tokens_after_block[3], 110);
}

QTEST_MAIN(TestEditorDrag)
#include "tst_editor_drag.moc"
