// The editor's actions against the real programs, on the CPU with the shipped Fashion-MNIST model:
// Calibrate runs `tailprune calibrate` (a small real pass on the holdout split) and the accuracy
// readout then predicts; Cancel keeps the finished evaluations; Measure and Evaluate go through
// the real `tailprune agent` and their results are drawn next to the predictions.
#include <QtTest>

#include <QDir>
#include <QFile>
#include <QPushButton>
#include <QTemporaryDir>

#include "core/accuracy/accuracy_data.h"
#include "ui/editor/accuracy_readout.h"
#include "ui/editor/bundled_models.h"
#include "ui/editor/calibration_panel.h"
#include "ui/editor/editor_tab.h"
#include "ui/editor/latency_readout.h"
#include "ui/editor/schedule_actions.h"
#include "ui/editor/schedule_editor.h"
#include "ui/main_window.h"

using namespace tp;
using namespace tp::ui;

class TestEditorAgent : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void calibrateFromTheButton();
    void cancelKeepsFinishedEvaluations();
    void measureAndEvaluateThroughTheAgent();

private:
    // A studio window on the fmnist CPU profile alone, with its editor installed and synced.
    ScheduleEditor* openEditor(MainWindow& window);
    QString calibrationFile() const { return models_.path() + "/fmnist_vit8/fmnist_vit8.accuracy-calibration.json"; }

    QTemporaryDir models_, profiles_;
};

void TestEditorAgent::initTestCase() {
    QVERIFY2(!qEnvironmentVariable("TAILPRUNE_CLI").isEmpty(), "TAILPRUNE_CLI is not set (run through ctest)");
    const QString source = qEnvironmentVariable("TAILPRUNE_SOURCE_DIR");
    // A private copy of the shipped model, so calibration never writes into the source tree.
    QVERIFY(QDir(models_.path()).mkpath("fmnist_vit8"));
    for (const QString f : {"fmnist_vit8.card.json", "fmnist_vit8.safetensors"})
        QVERIFY(QFile::copy(source + "/resources/models/fmnist_vit8/" + f, models_.path() + "/fmnist_vit8/" + f));
    QVERIFY(QFile::copy(source + "/profiles/cpu-2core_fmnist_vit8_fp32_b1_blocks.json.gz",
                        profiles_.path() + "/fmnist.json.gz"));
    qputenv("TAILPRUNE_MODELS", models_.path().toUtf8());
    qputenv("TAILPRUNE_PROFILES", profiles_.path().toUtf8());
    QCOMPARE(int(bundled_models().size()), 1);
}

ScheduleEditor* TestEditorAgent::openEditor(MainWindow& window) {
    ScheduleEditor* editor = install_schedule_editor(window);
    if (!QTest::qWaitFor([&] { return !editor->profiles().empty(); }, 30000)) return nullptr;
    return editor;
}

void TestEditorAgent::calibrateFromTheButton() {
    QFile::remove(calibrationFile());
    MainWindow window;
    ScheduleEditor* editor = openEditor(window);
    QVERIFY2(editor, "the bundled profile never reached the editor");
    QVERIFY(editor->setMethod("random"));
    QVERIFY2(editor->accuracyReadout()->calibrateOffered(), qPrintable(editor->accuracyReadout()->text()));

    auto* panel = editor->findChild<CalibrationPanel*>("calibrationPanel");
    QVERIFY(panel);
    // 40 holdout images per evaluation: the baseline, one level cut after blocks 0..6 and the plan's
    // 4 multi-point schedules (`tailprune calibrate ... --plan-only` lists them): a real pass, quick.
    panel->setExtraArguments({"--subset", "40", "--levels", "0.5", "--multi", "0"});
    QSignalSpy finished(panel, &CalibrationPanel::finished);
    editor->findChild<QPushButton*>("calibrateButton")->click();
    QVERIFY(panel->running());
    QVERIFY(finished.wait(180000));
    QVERIFY2(finished.first().first().toBool(), qPrintable(panel->message()));

    const AccuracyCalibration cal = load_accuracy_calibration(calibrationFile().toStdString());
    QCOMPARE(int(cal.evaluations.size()), 12);
    QCOMPARE(QString::fromStdString(cal.subset.split), QString("holdout"));
    QCOMPARE(cal.subset.size, 40);
    // The editor reloaded it: the readout predicts instead of offering calibration.
    QVERIFY2(!editor->accuracyReadout()->calibrateOffered(), qPrintable(editor->accuracyReadout()->text()));
    // Its model is fitted off the GUI thread; the prediction follows.
    QTRY_VERIFY2_WITH_TIMEOUT(editor->accuracyReadout()->text().contains('%'), qPrintable(editor->accuracyReadout()->text()), 30000);
}

void TestEditorAgent::cancelKeepsFinishedEvaluations() {
    QFile::remove(calibrationFile());
    MainWindow window;
    ScheduleEditor* editor = openEditor(window);
    QVERIFY(editor);
    QVERIFY(editor->setMethod("topk"));
    auto* panel = editor->findChild<CalibrationPanel*>("calibrationPanel");
    panel->setExtraArguments({"--subset", "400", "--levels", "0.9,0.6,0.3", "--multi", "2"});
    QSignalSpy finished(panel, &CalibrationPanel::finished);
    editor->findChild<QPushButton*>("calibrateButton")->click();
    // Cancel once the first evaluation is in the file.
    QVERIFY(QTest::qWaitFor([&] { return QFile::exists(calibrationFile()); }, 120000));
    panel->cancel();
    QVERIFY(finished.wait(120000));
    QCOMPARE(finished.first().first().toBool(), false);
    QVERIFY2(panel->message().contains("cancelled"), qPrintable(panel->message()));
    const auto kept = load_accuracy_calibration(calibrationFile().toStdString()).evaluations.size();
    QVERIFY(kept >= 1);
    QVERIFY2(kept < 24, "cancel stopped nothing");  // the plan has 24 evaluations (see --plan-only)
}

void TestEditorAgent::measureAndEvaluateThroughTheAgent() {
    MainWindow window;
    ScheduleEditor* editor = openEditor(window);
    QVERIFY(editor);
    QVERIFY(editor->setMethod("topk"));
    auto* actions = editor->findChild<ScheduleActions*>();
    QVERIFY(actions);
    QSignalSpy finished(actions, &ScheduleActions::jobFinished);
    QVERIFY2(actions->measure(1), qPrintable(actions->message()));
    QVERIFY(finished.wait(180000));
    QVERIFY2(finished.last().first().toBool(), qPrintable(actions->message()));
    QVERIFY2(editor->latencyReadout()->cellText(0, 4).contains("ms"), qPrintable(editor->latencyReadout()->cellText(0, 4)));

    QVERIFY2(actions->evaluate(), qPrintable(actions->message()));
    QVERIFY(finished.wait(180000));
    QVERIFY2(finished.last().first().toBool(), qPrintable(actions->message()));
    QVERIFY2(editor->accuracyReadout()->text().contains("measured"), qPrintable(editor->accuracyReadout()->text()));
}

QTEST_MAIN(TestEditorAgent)
#include "tst_editor_agent.moc"
