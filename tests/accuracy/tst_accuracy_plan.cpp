// The calibration plan covers each method's space: baseline, single points at every block but the
// last × token levels, multi-point schedules (many for ToMe and Top-K), every one realisable by the
// method, deterministic for a seed, and resumable.
#include <QtTest>

#include <set>

#include "accuracy_fixtures.h"
#include "core/util/format_error.h"
#include "core/model/method_rules.h"

using namespace tp;
using namespace tp::test;

namespace {
// The pruning points of each evaluation `with` appends to the plan `without` makes, after checking
// that the shorter plan is a prefix of the longer (an existing calibration file stays valid).
std::vector<std::pair<std::vector<PruningPoint>, std::string>> appended(const ModelInfo& model, const std::string& method,
                                                                        const CalibrationPlanSettings& with,
                                                                        const CalibrationPlanSettings& without) {
    const auto a = calibration_plan(model, method, with);
    const auto b = calibration_plan(model, method, without);
    std::vector<std::pair<std::vector<PruningPoint>, std::string>> out;
    if (a.size() < b.size()) return out;
    for (std::size_t i = 0; i < b.size(); ++i)
        if (a[i].tokens_after_block != b[i].tokens_after_block) throw std::runtime_error("not a prefix at " + std::to_string(i));
    for (std::size_t i = b.size(); i < a.size(); ++i) {
        Schedule s;
        s.model = model;
        s.tokens_after_block = a[i].tokens_after_block;
        out.push_back({s.pruning_points(), a[i].kind});
    }
    return out;
}
}  // namespace

class TestAccuracyPlan : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void planCoversTheMethodsSpace_data() {
        QTest::addColumn<QString>("method");
        QTest::addColumn<int>("minSingles");
        QTest::addColumn<int>("minMulti");
        QTest::addColumn<int>("minFewCuts");  // multi-point schedules with 2–3 cuts, as the editor makes them
        QTest::newRow("pomt") << "pomt" << 7 * 6 << 8 << 8;
        QTest::newRow("pomt_nomerge") << "pomt_nomerge" << 7 * 6 << 8 << 8;
        QTest::newRow("zerotprune") << "zerotprune" << 7 * 6 << 8 << 8;
        QTest::newRow("random") << "random" << 7 * 6 << 8 << 8;
        QTest::newRow("topk: constant r and few cuts") << "topk" << 7 * 6 << 16 + 8 << 8;
        QTest::newRow("tome: only levels it can merge to") << "tome" << 7 * 2 << 8 << 0;
    }
    void planCoversTheMethodsSpace() {
        QFETCH(QString, method);
        QFETCH(int, minSingles);
        QFETCH(int, minMulti);
        QFETCH(int, minFewCuts);
        const ModelInfo model = small_vit_model();
        auto plan = calibration_plan(model, method.toStdString());
        QCOMPARE(QString::fromStdString(plan.front().kind), QString("baseline"));
        QCOMPARE(plan.front().tokens_after_block, std::vector<int>(8, 50));
        int singles = 0, multi = 0, few_cuts = 0;
        std::set<int> single_blocks;
        std::set<std::vector<int>> unique;
        for (const auto& p : plan) {
            unique.insert(p.tokens_after_block);
            if (p.kind == "baseline") continue;
            validate_method_tokens(method.toStdString(), 50, p.tokens_after_block);  // throws if not realisable
            Schedule s;
            s.model = model;
            s.tokens_after_block = p.tokens_after_block;
            auto points = s.pruning_points();
            if (p.kind == "single") {
                ++singles;
                QCOMPARE(points.size(), std::size_t(1));
                single_blocks.insert(points[0].block);
            } else {
                ++multi;
                QVERIFY(points.size() >= 2);
                few_cuts += points.size() <= 3;
            }
        }
        QVERIFY2(singles >= minSingles, qPrintable(QString::number(singles)));
        QVERIFY2(multi >= minMulti, qPrintable(QString::number(multi)));
        QVERIFY2(few_cuts >= minFewCuts, qPrintable(QString::number(few_cuts)));
        QCOMPARE(single_blocks.size(), std::size_t(7));      // every block but the last
        QVERIFY(!single_blocks.count(7));
        QCOMPARE(unique.size(), plan.size());                 // no duplicates
        auto again = calibration_plan(model, method.toStdString());
        QCOMPARE(again.size(), plan.size());
        for (std::size_t i = 0; i < plan.size(); ++i) QCOMPARE(again[i].tokens_after_block, plan[i].tokens_after_block);
    }

    // Issue 26: two cuts at nearby blocks, the second thinning what the first kept, at the plan's
    // own levels (0.6→0.3, 0.75→0.45), after everything else; none when those levels are not planned.
    void nestedPairsAtThePlansLevels_data() {
        QTest::addColumn<QString>("method");
        QTest::addColumn<QString>("levels");  // empty: the default levels
        QTest::addColumn<int>("pairs");
        QTest::newRow("pomt, default levels") << "pomt" << "" << 12;
        QTest::newRow("topk, default levels") << "topk" << "" << 12;
        QTest::newRow("random, one level: none") << "random" << "0.5" << 0;
        QTest::newRow("zerotprune, only 0.6 and 0.3") << "zerotprune" << "0.6,0.3" << 6;
        QTest::newRow("tome: none") << "tome" << "" << 0;
    }
    void nestedPairsAtThePlansLevels() {
        QFETCH(QString, method);
        QFETCH(QString, levels);
        QFETCH(int, pairs);
        const ModelInfo model = small_vit_model();
        CalibrationPlanSettings with, without;
        if (!levels.isEmpty()) {
            with.keep_fractions.clear();
            for (const auto& l : levels.split(',')) with.keep_fractions.push_back(l.toDouble());
        }
        without = with;
        without.nested_pairs = false;
        const auto added = appended(model, method.toStdString(), with, without);
        QCOMPARE(int(added.size()), pairs);
        for (const auto& [points, kind] : added) {
            QCOMPARE(points.size(), std::size_t(2));
            QVERIFY(points[1].block - points[0].block <= 2);
            QCOMPARE(QString::fromStdString(kind), QString("multi"));
        }
    }

    // --editor-like N: N more seeded schedules of 2–3 cuts (2–4 for Top-K) close together, each
    // keeping half or more of what reaches it, appended after the rest (an existing file stays a prefix).
    void editorLikeSchedulesAreAppended_data() {
        QTest::addColumn<QString>("method");
        QTest::addColumn<int>("count");
        QTest::addColumn<int>("maxCuts");
        QTest::newRow("pomt, 12") << "pomt" << 12 << 3;
        QTest::newRow("topk, 12: up to four cuts") << "topk" << 12 << 4;
        QTest::newRow("random, 5") << "random" << 5 << 3;
        QTest::newRow("tome: none (it prunes every block)") << "tome" << 0 << 0;
    }
    void editorLikeSchedulesAreAppended() {
        QFETCH(QString, method);
        QFETCH(int, count);
        QFETCH(int, maxCuts);
        const ModelInfo model = small_vit_model();
        CalibrationPlanSettings with, without;
        with.editor_like = count > 0 ? count : 12;
        const auto added = appended(model, method.toStdString(), with, without);
        QCOMPARE(int(added.size()), count);
        for (const auto& [points, kind] : added) {
            QVERIFY(points.size() >= 2 && int(points.size()) <= maxCuts);
            QCOMPARE(QString::fromStdString(kind), QString("multi"));
            int reaching = model.tokens;
            for (std::size_t k = 0; k < points.size(); ++k) {
                if (k) QVERIFY(points[k].block - points[k - 1].block <= 3);
                QVERIFY2(2 * points[k].tokens + 1 >= reaching, "a cut kept less than half of what reached it");
                reaching = points[k].tokens;
            }
        }
        const auto a = calibration_plan(model, method.toStdString(), with);
        const auto again = calibration_plan(model, method.toStdString(), with);  // seeded: the same again
        QCOMPARE(again.size(), a.size());
        QCOMPARE(again.back().tokens_after_block, a.back().tokens_after_block);
    }

    void resumingSkipsWhatIsDone() {
        const ModelInfo model = small_vit_model();
        auto plan = calibration_plan(model, "pomt");
        AccuracyCalibration done;
        done.model = model;
        std::mt19937_64 rng(1);
        for (std::size_t i = 0; i < 10; ++i) done.evaluations.push_back(sampled(Truth{}, plan[i], 100, rng));
        auto rest = remaining_evaluations(plan, done);
        QCOMPARE(rest.size(), plan.size() - 10);
        QCOMPARE(rest.front().tokens_after_block, plan[10].tokens_after_block);
    }

    void badRequestsAreClearErrors_data() {
        QTest::addColumn<QString>("method");
        QTest::addColumn<QString>("message");
        QTest::newRow("unknown method") << "magic" << "magic";
        QTest::newRow("none prunes nothing") << "none" << "nothing to calibrate";
    }
    void badRequestsAreClearErrors() {
        QFETCH(QString, method);
        QFETCH(QString, message);
        try {
            calibration_plan(small_vit_model(), method.toStdString());
            QFAIL("planned for a bad method");
        } catch (const FormatError& e) {
            QVERIFY2(QString(e.what()).contains(message), e.what());
        }
    }
};

QTEST_GUILESS_MAIN(TestAccuracyPlan)
#include "tst_accuracy_plan.moc"
