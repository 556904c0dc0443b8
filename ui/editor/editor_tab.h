#pragma once

namespace tp::ui {

class MainWindow;
class ScheduleEditor;

// Adds the "Schedule editor" tab to the studio: the editor offers the window's loaded profiles
// (its ProfileLibrary, whatever the Curves tab shows), predicts on the active one and the others of
// its model from their shared analyses, and measures/evaluates through the window's agent.
ScheduleEditor* install_schedule_editor(MainWindow& window);

}  // namespace tp::ui
