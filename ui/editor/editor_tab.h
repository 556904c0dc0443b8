#pragma once

namespace tp::ui {

class MainWindow;
class ScheduleEditor;

// Adds the "Schedule editor" tab to the studio: the editor predicts with the core latency
// predictor on the profiles shown in the curve view (the first is the active device, the others
// are overlaid devices of the same model), and measures/evaluates through the window's agent.
ScheduleEditor* install_schedule_editor(MainWindow& window);

}  // namespace tp::ui
