#include "ui/editor/schedule_document.h"

#include "ui/editor/schedule_edit_command.h"

namespace tp::ui {

ScheduleDocument::ScheduleDocument(QObject* parent) : QObject(parent) {}

void ScheduleDocument::reset(const Schedule& schedule) {
    undo_.clear();
    apply(schedule);
}

void ScheduleDocument::commit(const Schedule& after, const QString& text) {
    if (after.tokens_after_block == schedule_.tokens_after_block && after.method == schedule_.method &&
        after.parameters == schedule_.parameters && after.name == schedule_.name && after.notes == schedule_.notes &&
        after.status == schedule_.status)
        return;
    undo_.push(new ScheduleEditCommand(this, schedule_, after, text));
}

void ScheduleDocument::preview(const Schedule& state) { apply(state); }

void ScheduleDocument::commitPreview(const Schedule& before, const QString& text) {
    if (before.tokens_after_block == schedule_.tokens_after_block) return;
    Schedule after = schedule_;
    schedule_ = before;  // the command's first redo() re-applies `after`
    undo_.push(new ScheduleEditCommand(this, before, after, text));
}

void ScheduleDocument::apply(const Schedule& state) {
    schedule_ = state;
    Q_EMIT changed();
}

}  // namespace tp::ui
