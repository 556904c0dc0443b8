#pragma once
#include <QUndoCommand>

#include "core/model/schedule.h"

namespace tp::ui {

class ScheduleDocument;

// One edit of a schedule, stored as the states before and after (a schedule is a few hundred
// bytes, so whole states keep undo exact for every kind of edit: points, method, parameters).
class ScheduleEditCommand : public QUndoCommand {
public:
    ScheduleEditCommand(ScheduleDocument* document, Schedule before, Schedule after, const QString& text);
    void undo() override;
    void redo() override;

private:
    ScheduleDocument* document_;
    Schedule before_, after_;
};

}  // namespace tp::ui
