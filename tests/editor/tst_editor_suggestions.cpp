// The schedule editor's Suggestions panel (ui/editor/suggestions_panel.h) on the five synthetic
// devices: the state without a calibration, the front and the pick of a search, the edited
// schedule's marker following the schedule, a click opening a suggestion, objective changes, the
// empty state, and the device that counts.
#include <QSignalSpy>
#include <QTest>
#include <cmath>

#include "editor_harness.h"
#include "tests/search/search_fixtures.h"
#include "ui/editor/suggestions_panel.h"
#include "ui/qcustomplot_include.h"

using namespace tp;

namespace {

struct Setup {
    std::unique_ptr<ui::ScheduleEditor> editor = test::make_editor();
    std::unique_ptr<ui::SuggestionsPanel> panel;
    explicit Setup(bool calibrated = true) {
        panel = std::make_unique<ui::SuggestionsPanel>(editor.get());
        panel->resize(760, 480);
        panel->show();
        if (!QTest::qWaitForWindowExposed(panel.get())) qWarning("panel window was not exposed");
        if (!calibrated) {
            panel->setCalibration(std::nullopt, {});
            return;
        }
        QSignalSpy done(panel.get(), &ui::SuggestionsPanel::searchFinished);
        panel->setCalibration(test::exact_calibration(test::deit_small_model(), {"pomt", "topk"}), {});
        while (panel->busy() || !panel->result()) {
            if (!done.wait(60000)) break;
        }
    }
    // The worst device's % of unpruned and the top-1 of a schedule, straight from the predictors.
    double worst_pct(const Schedule& s) const {
        double worst = 0;
        for (int i = 0; i < editor->library()->size(); ++i) {
            const LatencyPredictor& p = *editor->library()->analysis(i)->predictor();
            worst = std::max(worst, 100.0 * p.predict_ms(s.tokens_after_block, s.method) / p.unpruned_ms());
        }
        return worst;
    }
};

}  // namespace

class TestEditorSuggestions : public QObject {
    Q_OBJECT
    std::unique_ptr<Setup> shared_;
    // One calibrated editor and panel for the suites that read a search (each search fits the
    // accuracy models and searches five devices: seconds).
    Setup& shared() {
        if (!shared_) shared_ = std::make_unique<Setup>();
        return *shared_;
    }
private Q_SLOTS:
    void withoutCalibrationSaysHowToGetOne() {
        Setup s(false);
        QVERIFY(!s.panel->result());
        const QString text = s.panel->statusText();
        QVERIFY2(text.contains("No accuracy calibration for deit_small"), qPrintable(text));
        QVERIFY2(text.contains("tailprune calibrate"), qPrintable(text));
    }

    void showsTheFrontAndThePick() {
        Setup& s = shared();
        QVERIFY(s.panel->result());
        const SearchResult& r = *s.panel->result();
        QVERIFY(!r.front.empty());
        QCOMPARE(r.device_names.size(), std::size_t(5));
        const ObjectiveChoice& c = s.panel->choice();
        QVERIFY2(c.best >= 0, c.empty_reason.c_str());
        QVERIFY(r.front[std::size_t(c.best)].predicted_drop_pp <= 1.0);
        QVERIFY2(s.panel->statusText().startsWith("fastest with a predicted top-1 drop ≤ 1.00 pp"), qPrintable(s.panel->statusText()));
        // the plot draws every front entry (graph 1) and the pick (graph 3)
        QCOMPARE(s.panel->plot()->graph(1)->dataCount(), int(r.front.size()));
        QCOMPARE(s.panel->plot()->graph(3)->dataCount(), 1);
        if (qEnvironmentVariableIsSet("TAILPRUNE_SCREENSHOT_DIR")) {
            s.panel->setMaxDrop(0.5);
            s.editor->openSchedule(test::schedule_with_points(*s.editor, {{3, 128}, {7, 64}}, "pomt"));
            s.panel->plot()->replot();
            s.panel->grab().save(qEnvironmentVariable("TAILPRUNE_SCREENSHOT_DIR") + "/suggestions_panel.png");
        }
    }

    void theMarkerFollowsTheSchedule_data() {
        QTest::addColumn<int>("block");
        QTest::addColumn<int>("tokens");
        QTest::newRow("a cut at block 3 to 128") << 3 << 128;
        QTest::newRow("a cut at block 6 to 96") << 6 << 96;
        QTest::newRow("a cut at block 1 to 160") << 1 << 160;
    }
    void theMarkerFollowsTheSchedule() {
        QFETCH(int, block);
        QFETCH(int, tokens);
        Setup& s = shared();
        const Schedule schedule = test::schedule_with_points(*s.editor, {{block, tokens}}, "topk");
        QVERIFY(s.editor->openSchedule(schedule));
        QVERIFY(s.panel->currentMarker());
        QVERIFY(std::fabs(s.panel->currentMarker()->x() - s.worst_pct(schedule)) < 1e-9);
        // pruning costs accuracy: the marker sits below the unpruned model
        QVERIFY(s.panel->currentMarker()->y() < 100.0 * s.panel->result()->unpruned.predicted_top1);
        QCOMPARE(s.panel->plot()->graph(5)->dataCount(), 1);
    }
    void cleanupTestCase() { shared_.reset(); }

    void aClickOpensTheSuggestion() {
        Setup& s = shared();
        // The front point farthest from its neighbours on screen: a click there picks it alone.
        const auto& front = s.panel->result()->front;
        int chosen = -1;
        double room = -1;
        for (int i = 0; i < int(front.size()); ++i) {
            double nearest = 1e9;
            for (int j = 0; j < int(front.size()); ++j)
                if (j != i) {
                    const QPoint d = s.panel->frontPixel(i) - s.panel->frontPixel(j);
                    nearest = std::min(nearest, std::hypot(double(d.x()), double(d.y())));
                }
            if (nearest > room) room = nearest, chosen = i;
        }
        QVERIFY2(room > 3, "the front's points overlap on screen");
        const SearchEntry& entry = front[std::size_t(chosen)];
        QTest::mouseClick(s.panel->plot(), Qt::LeftButton, Qt::NoModifier, s.panel->frontPixel(chosen));
        QCOMPARE(s.editor->schedule().tokens_after_block, entry.schedule.tokens_after_block);
        QCOMPARE(s.editor->schedule().method, entry.schedule.method);
        QVERIFY(std::fabs(s.panel->currentMarker()->x() - entry.predicted_pct) < 1e-6);
    }

    void objectivesMoveThePick() {
        Setup& s = shared();
        const auto& front = s.panel->result()->front;
        s.panel->setMaxDrop(0.2);
        const int strict = s.panel->choice().best;
        s.panel->setMaxDrop(5.0);
        const int loose = s.panel->choice().best;
        QVERIFY(strict >= 0 && loose >= 0);
        QVERIFY(front[std::size_t(loose)].predicted_pct <= front[std::size_t(strict)].predicted_pct);
        QVERIFY(front[std::size_t(strict)].predicted_drop_pp <= 0.2);
        s.panel->setLatencyBudgetPct(90);
        const int budget = s.panel->choice().best;
        QVERIFY(budget >= 0);
        QVERIFY(front[std::size_t(budget)].predicted_pct <= 90);
        s.panel->setLatencyBudgetPct(1);  // nothing runs at 1% of unpruned: the empty state names the constraint
        QCOMPARE(s.panel->choice().best, -1);
        QVERIFY2(s.panel->statusText().contains("Nothing meets the objective") &&
                     s.panel->statusText().contains("--max-latency-pct 1.0"),
                 qPrintable(s.panel->statusText()));
        QCOMPARE(s.panel->plot()->graph(3)->dataCount(), 0);
        s.panel->setLatencyBudgetPct(0);
        s.panel->setMaxDrop(1.0);
    }

    void oneDeviceCounts() {
        Setup& s = shared();
        QSignalSpy done(s.panel.get(), &ui::SuggestionsPanel::searchFinished);
        s.panel->setDevice(3);  // the CPU
        QVERIFY(done.wait(60000));
        while (s.panel->busy()) QVERIFY(done.wait(60000));
        for (const auto& e : s.panel->result()->front) QCOMPARE(e.objective_device, 3);
        QVERIFY(!s.panel->result()->front.empty());
    }
};

QTEST_MAIN(TestEditorSuggestions)
#include "tst_editor_suggestions.moc"
