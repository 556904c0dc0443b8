#include "ui/editor/schedule_edit_command.h"

#include "ui/editor/schedule_document.h"

namespace tp::ui {

ScheduleEditCommand::ScheduleEditCommand(ScheduleDocument* document, Schedule before, Schedule after,
                                         const QString& text)
    : QUndoCommand(text), document_(document), before_(std::move(before)), after_(std::move(after)) {}

void ScheduleEditCommand::undo() { document_->apply(before_); }
void ScheduleEditCommand::redo() { document_->apply(after_); }

}  // namespace tp::ui
