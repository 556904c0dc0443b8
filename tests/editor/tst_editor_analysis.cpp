// One analysis per loaded profile: the sensitivity set in the Curves tab re-analyses the profile
// once, and the editor's magnet and its latency prediction follow it (they read the same analysis as
// the curve view). The editor's devices are the loaded profiles, not the Curves tab's selection.
#include <QDoubleSpinBox>
#include <QLabel>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTabWidget>
#include <QTest>

#include "core/model/profile_json.h"
#include "core/schedule/magnet.h"
#include "editor_harness.h"
#include "ui/curve_view.h"
#include "ui/curves_tab.h"
#include "ui/editor/editor_tab.h"
#include "ui/editor/latency_readout.h"
#include "ui/main_window.h"
#include "ui/profile_library.h"

using namespace tp;

namespace {

// A tile-32 GPU whose steps are small (0.004 ms per tile and block): at the default sensitivity the
// detector finds the edge at 193 on deployed:3, at 50 it no longer does, and at 0.5 it also takes
// a noise wiggle at 176 for an edge.
Profile small_steps_gpu() {
    test::DeviceShape d = test::device_shapes()[0];
    d.name = "gpu-small-steps";
    d.step_ms = 0.004;
    return test::synthetic_profile(d, test::deit_small_model(), {1, 3, 5, 7});
}

// Ends a drag at `tokens` on block 3 with the magnet off (Alt), so the point stays where it was put.
void release_without_magnet(ui::SchedulePlot* plot, int tokens) {
    const QPoint to = plot->pixelFor(3, tokens);
    QMouseEvent move(QEvent::MouseMove, QPointF(to), plot->mapToGlobal(QPointF(to)), Qt::NoButton, Qt::LeftButton,
                     Qt::AltModifier);
    QApplication::sendEvent(plot, &move);
    QTest::mouseRelease(plot, Qt::LeftButton, Qt::AltModifier, to);
}

}  // namespace

class TestEditorAnalysis : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(profiles_.isValid());
        save_profile(small_steps_gpu(), profiles_.filePath("gpu.json").toStdString());
        Profile other = test::synthetic_profile(test::device_shapes()[1], test::deit_small_model(), {3});
        save_profile(other, profiles_.filePath("other.json").toStdString());
        qputenv("TAILPRUNE_PROFILES", profiles_.path().toUtf8());
    }

    void sensitivityReachesMagnetAndPrediction_data() {
        QTest::addColumn<double>("sensitivity");  // set in the Curves tab (from the default 3)
        QTest::addColumn<int>("cursor");          // tokens the cut at block 3 is dragged to
        QTest::addColumn<int>("offerBefore");     // the magnet's offer at the default sensitivity
        QTest::addColumn<int>("offerAfter");
        QTest::newRow("50: the small edge at 193 is no longer found") << 50.0 << 190 << 192 << 160;
        QTest::newRow("0.5: a wiggle at 176 counts as an edge") << 0.5 << 182 << 192 << 175;
    }
    void sensitivityReachesMagnetAndPrediction() {
        QFETCH(double, sensitivity);
        QFETCH(int, cursor);
        QFETCH(int, offerBefore);
        QFETCH(int, offerAfter);
        ui::MainWindow window;
        ui::ScheduleEditor* editor = ui::install_schedule_editor(window);
        QVERIFY(QTest::qWaitFor([&] { return editor->profiles().size() == 2; }, 30000));
        window.resize(1440, 900);
        window.show();
        window.workspace()->setCurrentWidget(editor);
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        const int gpu = window.library()->indexOfSource(profiles_.filePath("gpu.json"));
        editor->setActiveDevice(gpu);
        QVERIFY(editor->openSchedule(test::schedule_with_points(*editor, {{3, cursor}})));

        // Default sensitivity: the offer and the prediction of the analysis the curve view reads.
        test::drag_handle(editor->plot(), 0, 3, cursor, Qt::NoModifier, false);
        QVERIFY(editor->magnetOffer());
        QCOMPARE(editor->magnetOffer()->tokens, offerBefore);
        release_without_magnet(editor->plot(), cursor);
        QCOMPARE(editor->schedule().tokens_after_block[3], cursor);
        const double before = editor->latencyReadout()->devices().at(std::size_t(gpu)).prediction->latency_ms;

        // The user changes the sensitivity in the Curves tab: one new analysis per profile.
        auto* spin = window.curvesTab()->view()->findChild<QDoubleSpinBox*>("sensitivitySpin");
        QVERIFY(spin);
        QSignalSpy reanalysed(window.library()->analyses(), &ui::ProfileAnalyses::changed);
        spin->setValue(sensitivity);
        QCOMPARE(reanalysed.count(), 1);
        const auto shared = window.library()->analysis(gpu);
        QCOMPARE(shared->settings().steps.sensitivity, sensitivity);
        QCOMPARE(editor->activeAnalysis(), shared.get());  // the editor reads the curve view's analysis

        // The prediction followed at once, and is what a fresh analysis at that sensitivity predicts.
        AnalysisSettings settings;
        settings.steps.sensitivity = sensitivity;
        const ProfileAnalysis fresh(shared->shared_profile(), profiles_.filePath("gpu.json").toStdString(), settings);
        const LatencyPrediction& shown = *editor->latencyReadout()->devices().at(std::size_t(gpu)).prediction;
        QCOMPARE(shown.latency_ms, fresh.predict(editor->schedule()).latency_ms);
        QVERIFY2(shown.latency_ms != before, qPrintable(QString::number(before, 'g', 12)));

        // So does the magnet, on the next drag.
        test::drag_handle(editor->plot(), 0, 3, cursor, Qt::NoModifier, false);
        QVERIFY(editor->magnetOffer());
        QCOMPARE(editor->magnetOffer()->tokens, offerAfter);
        QCOMPARE(editor->magnetOffer()->tokens, magnet_offer(fresh, 3, cursor).tokens);
        release_without_magnet(editor->plot(), cursor);
    }

    // The Curves tab may show another profile: the editor keeps its device and its devices.
    void curvesTabSelectionLeavesTheEditorAlone() {
        ui::MainWindow window;
        ui::ScheduleEditor* editor = ui::install_schedule_editor(window);
        QVERIFY(QTest::qWaitFor([&] { return editor->profiles().size() == 2; }, 30000));
        const int other = window.library()->indexOfSource(profiles_.filePath("other.json"));
        editor->setActiveDevice(other);
        window.showProfiles({1 - other});
        QCOMPARE(window.overlay().front().profile, window.library()->at(1 - other).profile);
        QCOMPARE(editor->activeDevice(), other);
        QCOMPARE(int(editor->profiles().size()), 2);
    }

    // A new user's first look: the unpruned schedule's line clear of the top frame, a hint to add a
    // point in the plot (gone once there is one), and the hint under the plot not cut off.
    void newUserSeesTheScheduleAndAHint() {
        auto editor = test::make_editor(3);
        ui::SchedulePlot* plot = editor->plot();
        QVERIFY(editor->schedule().pruning_points().empty());
        QVERIFY(plot->graph(0)->dataCount() > 0);  // the staircase of the unpruned schedule
        QVERIFY2(plot->yAxis->range().upper >= 1.1 * editor->schedule().input_tokens(),
                 qPrintable(QString::number(plot->yAxis->range().upper)));
        QVERIFY2(plot->emptyHint().contains("Add point"), qPrintable(plot->emptyHint()));
        auto* status = editor->findChild<QLabel*>("editorStatus");
        QVERIFY(status);
        QTRY_VERIFY(status->height() >= status->fontMetrics().boundingRect(QRect(0, 0, status->contentsRect().width(), 1 << 20), Qt::TextWordWrap, status->text()).height());
        QVERIFY(editor->addPoint());
        QCOMPARE(plot->emptyHint(), QString());
    }

private:
    QTemporaryDir profiles_;
};

QTEST_MAIN(TestEditorAnalysis)
#include "tst_editor_analysis.moc"
