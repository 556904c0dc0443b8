// While dragging, the magnet pulls a cut to the "one more token" point of the right curve: the
// deployed curve of that cut on the active device (else the model curve), or a fast residue where
// the curve is periodic; the editor names the curve and the finding.
#include <QTest>

#include "editor_harness.h"

using namespace tp;

class TestEditorMagnet : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void snapsToTheRightEdge_data();
    void snapsToTheRightEdge();
    void ctrlDownJumpsToTheNextEdgeBelow_data();
    void ctrlDownJumpsToTheNextEdgeBelow();
};

void TestEditorMagnet::snapsToTheRightEdge_data() {
    QTest::addColumn<int>("device");      // index in test::device_shapes(); the active device
    QTest::addColumn<int>("block");       // where the cut is dragged
    QTest::addColumn<int>("cursor");      // tokens under the cursor at release
    QTest::addColumn<bool>("alt");        // Alt turns the magnet off
    QTest::addColumn<int>("expected");
    QTest::addColumn<QString>("curve");   // "" when nothing snapped
    QTest::addColumn<QString>("finding");
    // Tile-32 GPU: levels change after 128 and 160; deployed curves exist for cuts 1, 3, 5, 7.
    QTest::newRow("just above an edge pulls down to it") << 0 << 3 << 131 << false << 128 << "deployed:3" << "one more token";
    QTest::newRow("inside a plateau pulls up to its right edge") << 0 << 3 << 125 << false << 128 << "deployed:3" << "one more token";
    QTest::newRow("no deployed curve for the cut: model curve") << 0 << 4 << 99 << false << 96 << "model" << "one more token";
    QTest::newRow("far from any edge: no snap") << 0 << 3 << 144 << false << 144 << "" << "";
    QTest::newRow("Alt turns the magnet off") << 0 << 3 << 131 << true << 131 << "" << "";
    QTest::newRow("edge GPU, 64-token tiles") << 2 << 5 << 132 << false << 128 << "deployed:5" << "one more token";
    QTest::newRow("132-SM GPU, 16-token tiles") << 1 << 7 << 146 << false << 144 << "deployed:7" << "one more token";
    QTest::newRow("CPU: nearest fast residue below") << 3 << 3 << 151 << false << 148 << "deployed:3" << "periodic";
}

void TestEditorMagnet::snapsToTheRightEdge() {
    QFETCH(int, device);
    QFETCH(int, block);
    QFETCH(int, cursor);
    QFETCH(bool, alt);
    QFETCH(int, expected);
    QFETCH(QString, curve);
    QFETCH(QString, finding);
    auto editor = test::make_editor(device);
    QVERIFY(editor->openSchedule(test::schedule_with_points(*editor, {{block, 180}})));
    test::drag_handle(editor->plot(), 0, block, cursor, alt ? Qt::AltModifier : Qt::NoModifier, false);
    // The offer and the curve are named while the button is down.
    if (!curve.isEmpty()) {
        QVERIFY(editor->snapped());
        QCOMPARE(QString::fromStdString(editor->magnetOffer()->curve), curve);
        QVERIFY2(QString::fromStdString(editor->magnetOffer()->finding).contains(finding), editor->magnetOffer()->finding.c_str());
        QVERIFY2(editor->statusText().contains("snapped to " + QString::number(expected) + " on " + curve),
                 qPrintable(editor->statusText()));
    } else {
        QVERIFY(!editor->snapped());
    }
    QTest::mouseRelease(editor->plot(), Qt::LeftButton, alt ? Qt::AltModifier : Qt::NoModifier,
                        editor->plot()->pixelFor(block, cursor));
    QCOMPARE(editor->schedule().pruning_points().at(0).block, block);
    QCOMPARE(editor->schedule().pruning_points().at(0).tokens, expected);
    if (!curve.isEmpty() && finding.contains("one more token")) {
        // Independent of the detector: the snapped count is the last of its level in the device's tiles,
        // and one more token is a level up.
        const test::DeviceShape shape = test::device_shapes()[std::size_t(device)];
        QCOMPARE(test::level_first_tokens(shape, expected + 1), expected + 1);
        QVERIFY(test::level_first_tokens(shape, expected) < expected);
    }
}

void TestEditorMagnet::ctrlDownJumpsToTheNextEdgeBelow_data() {
    QTest::addColumn<int>("device");
    QTest::addColumn<int>("start");
    QTest::addColumn<QList<int>>("expected");  // after each Ctrl+Down
    QTest::newRow("tile 32 from inside a plateau") << 0 << 150 << QList<int>{128, 96, 64};
    QTest::newRow("tile 32 from an edge") << 0 << 160 << QList<int>{128, 96};
    QTest::newRow("tile 64") << 2 << 190 << QList<int>{128, 64};
}

void TestEditorMagnet::ctrlDownJumpsToTheNextEdgeBelow() {
    QFETCH(int, device);
    QFETCH(int, start);
    QFETCH(QList<int>, expected);
    auto editor = test::make_editor(device);
    QVERIFY(editor->openSchedule(test::schedule_with_points(*editor, {{3, start}})));
    editor->selectPoint(0);
    for (int tokens : expected) {
        QTest::keyClick(editor->plot(), Qt::Key_Down, Qt::ControlModifier);
        QVERIFY2(editor->schedule().tokens_after_block[3] == tokens, qPrintable(editor->statusText()));
        QCOMPARE(editor->magnetOffer()->curve, std::string("deployed:3"));
    }
}

QTEST_MAIN(TestEditorMagnet)
#include "tst_editor_magnet.moc"
