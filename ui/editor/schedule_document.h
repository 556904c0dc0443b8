#pragma once
#include <QObject>
#include <QUndoStack>

#include "core/model/schedule.h"

namespace tp::ui {

// The schedule being edited and its undo history. Every committed edit is one QUndoCommand; a drag
// previews positions without touching the history and commits one command on release.
class ScheduleDocument : public QObject {
    Q_OBJECT
public:
    explicit ScheduleDocument(QObject* parent = nullptr);

    const Schedule& schedule() const { return schedule_; }
    QUndoStack* undoStack() { return &undo_; }

    // Replaces the whole schedule (open, new model) and clears the history.
    void reset(const Schedule& schedule);
    // One undoable edit from the current schedule to `after`.
    void commit(const Schedule& after, const QString& text);
    // Live state during a drag: not in the history.
    void preview(const Schedule& state);
    // Commits the difference between `before` (the state when the drag began) and the current one.
    void commitPreview(const Schedule& before, const QString& text);

    // Used by the undo commands.
    void apply(const Schedule& state);

Q_SIGNALS:
    void changed();

private:
    Schedule schedule_;
    QUndoStack undo_;
};

}  // namespace tp::ui
