#include "ui/editor/editor_tab.h"

#include <QFile>
#include <QVBoxLayout>

#include "core/accuracy/accuracy_data.h"
#include "ui/editor/bundled_models.h"
#include "ui/editor/calibration_panel.h"
#include "ui/editor/core_accuracy_source.h"
#include "ui/editor/schedule_actions.h"
#include "ui/editor/schedule_editor.h"
#include "ui/editor/suggestions_panel.h"
#include "ui/main_window.h"
#include "ui/profile_library.h"

namespace tp::ui {

namespace {

// The bundled model's calibration, when it has one that loads; otherwise the editor and the
// suggestions say why not.
void load_calibration(ScheduleEditor* editor, CalibrationPanel* panel, SuggestionsPanel* suggestions,
                      const std::optional<BundledModel>& model) {
    if (!model || !QFile::exists(model->calibration)) {
        editor->setAccuracySource(nullptr);
        suggestions->setCalibration(std::nullopt, {});
        return;
    }
    try {
        // The card's anchors (the unpruned model's measured top-1 per split) back up the calibration record's.
        const std::string card = card_path_for_calibration(model->calibration.toStdString());
        std::vector<AccuracyAnchor> anchors;
        if (!card.empty() && QFile::exists(QString::fromStdString(card))) anchors = read_card_anchors(card);
        AccuracyCalibration calibration = load_accuracy_calibration(model->calibration.toStdString());
        editor->setAccuracySource(std::make_shared<CoreAccuracySource>(calibration, anchors));
        suggestions->setCalibration(std::move(calibration), std::move(anchors));
    } catch (const std::exception& e) {
        editor->setAccuracySource(nullptr);
        const QString why = "The calibration file or the model card's anchors do not load: " + QString::fromUtf8(e.what());
        panel->showMessage(why, true);
        suggestions->setCalibration(std::nullopt, {}, why);
    }
}

}  // namespace

ScheduleEditor* install_schedule_editor(MainWindow& window) {
    auto* editor = new ScheduleEditor;
    auto* actions = new ScheduleActions(editor, window.agentClient(), editor);
    editor->actionArea()->addWidget(actions);
    auto* calibration = new CalibrationPanel(editor);
    calibration->setObjectName("calibrationPanel");
    // Measure, Evaluate and Calibrate run on the device chosen in the actions (the Devices tab's list).
    actions->setDevices(window.devicesPanel());
    QObject::connect(actions, &ScheduleActions::deviceChanged, calibration, [calibration](const QString& device) {
        calibration->setExtraArguments(device == "local" ? QStringList() : QStringList{"--on", device});
    });
    editor->actionArea()->addWidget(calibration);
    auto* suggestions = new SuggestionsPanel(editor);
    editor->actionArea()->addWidget(suggestions, 1);
    auto model = std::make_shared<std::optional<BundledModel>>();
    QObject::connect(editor, &ScheduleEditor::calibrateRequested, calibration, [calibration, model](const Schedule& s) {
        if (!*model) {
            calibration->showMessage("No trained weights for " + QString::fromStdString(s.model.name) +
                                         " here: calibration needs the model (resources/models).", true);
            return;
        }
        calibration->start(**model, QString::fromStdString(s.method));
    });
    QObject::connect(calibration, &CalibrationPanel::finished, editor,
                     [editor, calibration, suggestions, model] { load_calibration(editor, calibration, suggestions, *model); });
    // Trained weights for the active profile's model (evaluate, calibrate) and its accuracy calibration.
    QObject::connect(editor, &ScheduleEditor::activeDeviceChanged, editor, [editor, actions, calibration, suggestions, model] {
        *model = bundled_model(QString::fromStdString(editor->activeProfile()->model.name));
        if (*model) actions->setEvaluation((*model)->weights, "fashion-mnist", "test", 2000);
        load_calibration(editor, calibration, suggestions, *model);
    });
    // The loaded profiles (not what the Curves tab shows) and their shared analyses.
    editor->setLibrary(window.library());
    window.addWorkspaceTab(editor, "Schedule editor");
    return editor;
}

}  // namespace tp::ui
