// The "one more token" magnet and the block edges (core/schedule) on synthetic devices whose
// staircases are known: expectations come from the devices' tile sizes, not from the detector.
#include <QTest>

#include "core/schedule/block_edges.h"
#include "core/schedule/magnet.h"
#include "tests/editor/editor_fixtures.h"

using namespace tp;

namespace {
const ProfileAnalysis& analysis_of(int device) {
    static const auto profiles = test::five_device_profiles();
    static std::map<int, ProfileAnalysis> built;
    auto it = built.find(device);
    if (it == built.end()) it = built.emplace(device, ProfileAnalysis(profiles[std::size_t(device)], "")).first;
    return it->second;
}
}  // namespace

class TestScheduleMagnet : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void offersTheRightEdge_data() {
        QTest::addColumn<int>("device");  // index in test::device_shapes()
        QTest::addColumn<int>("block");
        QTest::addColumn<int>("tokens");
        QTest::addColumn<bool>("below");  // magnet_offer_below (keyboard jump) instead of magnet_offer
        QTest::addColumn<int>("expected");
        QTest::addColumn<QString>("curve");
        QTest::addColumn<QString>("finding");
        QTest::newRow("just above an edge: down to it") << 0 << 3 << 131 << false << 128 << "deployed:3" << "one more token: edge 129→128";
        QTest::newRow("inside a plateau: up to its right edge") << 0 << 3 << 125 << false << 128 << "deployed:3" << "one more token";
        QTest::newRow("no deployed curve for the cut: model curve") << 0 << 4 << 99 << false << 96 << "model" << "one more token";
        QTest::newRow("64-token tiles") << 2 << 5 << 132 << false << 128 << "deployed:5" << "one more token";
        QTest::newRow("16-token tiles") << 1 << 7 << 146 << false << 144 << "deployed:7" << "one more token";
        QTest::newRow("CPU without steps: the nearest fast residue") << 3 << 3 << 151 << false << 148 << "deployed:3" << "periodic: n mod 4 = 0";
        QTest::newRow("jump below from inside a plateau") << 0 << 3 << 150 << true << 128 << "deployed:3" << "one more token";
        QTest::newRow("jump below from an edge: the next one") << 0 << 3 << 128 << true << 96 << "deployed:3" << "one more token";
    }
    void offersTheRightEdge() {
        QFETCH(int, device);
        QFETCH(int, block);
        QFETCH(int, tokens);
        QFETCH(bool, below);
        QFETCH(int, expected);
        QFETCH(QString, curve);
        QFETCH(QString, finding);
        const ProfileAnalysis& a = analysis_of(device);
        const MagnetOffer o = below ? magnet_offer_below(a, block, tokens) : magnet_offer(a, block, tokens);
        QVERIFY(o.valid);
        QCOMPARE(o.tokens, expected);
        QCOMPARE(QString::fromStdString(o.curve), curve);
        QVERIFY2(QString::fromStdString(o.finding).startsWith(finding), o.finding.c_str());
        const test::DeviceShape shape = test::device_shapes()[std::size_t(device)];
        if (shape.tile > 0) {
            // The offer is the last count of its level: one more token is a level up.
            QCOMPARE(test::level_first_tokens(shape, expected + 1), expected + 1);
            QVERIFY(test::level_first_tokens(shape, expected) < expected);
        } else {
            QCOMPARE(expected % shape.period, 0);  // residue 0 runs 6% fast
        }
    }

    void blockEdgesDescribeWhereEachBlockSits() {
        const ProfileAnalysis& a = analysis_of(0);  // tile 32: levels 97–128, 129–160, ...
        Schedule s = unpruned_schedule(a.profile().model);
        s.method = "topk";
        s.tokens_after_block = tokens_from_points(s.depth(), s.input_tokens(), {{3, 128}, {6, 100}});
        const std::vector<BlockEdgePosition> edges = block_edge_positions(a, s);
        QCOMPARE(int(edges.size()), 12);
        const BlockEdgePosition& onEdge = edges[3];
        QCOMPARE(onEdge.curve, std::string("block:3"));
        QVERIFY(onEdge.on_edge());
        QCOMPARE(onEdge.edge_above, 129);
        QVERIFY2(onEdge.describe().rfind("on the edge: plateau 97–128 ends here, 129 steps up", 0) == 0, onEdge.describe().c_str());
        const BlockEdgePosition& inside = edges[7];
        QVERIFY(!inside.on_edge());
        QCOMPARE(inside.plateau_first, 97);
        QCOMPARE(inside.plateau_last, 128);
        QCOMPARE(inside.one_more_below, 96);
        QVERIFY(inside.saving_pct > 0);
        QVERIFY2(inside.describe().find("4 token(s) more reach 96") != std::string::npos, inside.describe().c_str());
    }
};

QTEST_GUILESS_MAIN(TestScheduleMagnet)
#include "tst_schedule_magnet.moc"
