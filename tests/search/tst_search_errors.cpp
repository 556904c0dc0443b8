// What the search refuses, and the candidates it starts from (core/search/search_space.h on
// devices whose staircases and residues are known).
#include <QTest>

#include "core/schedule/cut_targets.h"
#include "core/search/schedule_search.h"
#include "core/search/search_space.h"
#include "core/util/format_error.h"
#include "tests/search/search_fixtures.h"

using namespace tp;

namespace {

const ProfileAnalysis& other_model_device(int depth, int tokens) {
    static std::map<std::pair<int, int>, std::unique_ptr<ProfileAnalysis>> built;
    auto& slot = built[{depth, tokens}];
    if (!slot) {
        ModelInfo m = test::small_vit_model(depth, tokens);
        m.name = "other_vit";
        slot = std::make_unique<ProfileAnalysis>(
            std::make_shared<const Profile>(test::synthetic_profile(test::small_device_shapes()[0], m, {})), "");
    }
    return *slot;
}

}  // namespace

class TestSearchErrors : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void refuses_data() {
        QTest::addColumn<int>("which");
        QTest::addColumn<QString>("message");
        QTest::newRow("no profile") << 0 << "no profile to search on";
        QTest::newRow("profiles of two models") << 1 << "search one model at a time";
        QTest::newRow("accuracy model of another model") << 2 << "is for a model with 8 blocks and 50 tokens";
        QTest::newRow("a method without accuracy model") << 3 << "no accuracy model of method 'zerotprune'";
        QTest::newRow("four pruning points") << 4 << "1 to 3 pruning points";
        QTest::newRow("a device index past the profiles") << 5 << "not among the 1 profiles";
        QTest::newRow("an unknown method") << 6 << "unknown method 'prune_all'";
    }
    void refuses() {
        QFETCH(int, which);
        QFETCH(QString, message);
        SearchInputs in;
        in.devices = {&test::small_device(0)};
        in.accuracy["pomt"] = &test::small_accuracy("pomt");
        SearchSettings s;
        if (which == 0) in.devices.clear();
        if (which == 1) in.devices.push_back(&other_model_device(8, 60));
        if (which == 2) in.devices = {&other_model_device(12, 50)};
        if (which == 3) s.methods = {"zerotprune"};
        if (which == 4) s.max_points = 4;
        if (which == 5) s.device = 1;
        if (which == 6) s.methods = {"prune_all"};
        try {
            search_schedules(in, s);
            QFAIL("no error");
        } catch (const FormatError& e) {
            QVERIFY2(QString::fromUtf8(e.what()).contains(message), e.what());
        }
    }

    void candidatesSitAtEdgesAndResidues_data() {
        QTest::addColumn<int>("device");
        QTest::addColumn<int>("block");
        QTest::addColumn<QString>("curve");
        QTest::newRow("8-token tiles, deployed cut") << 0 << 3 << "deployed:3";
        QTest::newRow("8-token tiles, model curve") << 0 << 5 << "model";
        QTest::newRow("12-token tiles") << 1 << 1 << "deployed:1";
        QTest::newRow("CPU residues") << 2 << 3 << "deployed:3";
    }
    void candidatesSitAtEdgesAndResidues() {
        QFETCH(int, device);
        QFETCH(int, block);
        QFETCH(QString, curve);
        const test::DeviceShape shape = test::small_device_shapes()[std::size_t(device)];
        const std::vector<CutTarget> targets = cut_targets(test::small_device(device), block);
        // A plateau needs 3 points (StepSettings::min_segment): the edge 48→49, two counts from the
        // end of the curve, is placed a count early, so the comparison stops below 44.
        const int top = 44;
        std::vector<int> expected;
        for (int n = top - 1; n >= 1; --n)
            if (shape.tile > 0 ? n % shape.tile == 0 : n % shape.period == 0) expected.push_back(n);
        std::vector<int> got;
        for (const auto& t : targets) {
            if (t.tokens >= top) continue;
            got.push_back(t.tokens);
            QCOMPARE(QString::fromStdString(t.curve), curve);
            QVERIFY(QString::fromStdString(t.finding).startsWith(shape.tile > 0 ? "one more token: edge " : "periodic: n mod 4 = 0"));
        }
        QCOMPARE(got, expected);
        // The search space merges devices and says which offered each count.
        const SearchSpace space = build_search_space({&test::small_device(0), &test::small_device(2)});
        const CutCandidate* both = space.find(block, 40);  // a multiple of 8 and of 4
        QVERIFY(both);
        QCOMPARE(int(both->findings.size()), 2);
        QVERIFY(QString::fromStdString(both->findings[0]).startsWith("gpu-tile8: one more token"));
        QVERIFY(QString::fromStdString(both->findings[1]).startsWith("cpu-mod4: periodic"));
    }
};

QTEST_GUILESS_MAIN(TestSearchErrors)
#include "tst_search_errors.moc"
