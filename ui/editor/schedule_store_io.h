#pragma once
#include <QString>
#include <cstdint>
#include <vector>

#include "core/model/schedule.h"

namespace tp::ui {

// The editor's bridge to the store (core/store) and the export formats: plain functions that
// throw (StoreError, FormatError) with a message naming what and where; the panel shows it.
struct SavedScheduleRef {
    std::int64_t schedule_id = 0;
    int revision = 0;
};

// Saves `schedule` as a new revision of its name, with its measurements as evaluations.
SavedScheduleRef save_schedule_to_store(const QString& store_path, const Schedule& schedule);
// revision 0: the latest.
Schedule load_schedule_from_store(const QString& store_path, const QString& id_or_name, int revision = 0);
// "name (rev N, status)" lines of a store's schedules, and one schedule's revisions (newest first).
struct StoredScheduleEntry {
    QString name;
    QString label;
    std::vector<int> revisions;
};
std::vector<StoredScheduleEntry> list_stored_schedules(const QString& store_path);

// Export for deployment: JSON (schedule format) or CSV (the store's export format), by extension.
void export_schedule(const Schedule& schedule, const QString& path);

}  // namespace tp::ui
