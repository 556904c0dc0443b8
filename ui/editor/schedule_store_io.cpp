#include "ui/editor/schedule_store_io.h"

#include <algorithm>

#include "core/util/file_io.h"
#include "core/util/format_error.h"
#include "core/model/schedule_json.h"
#ifdef TAILPRUNE_HAS_STORE
#include "core/store/schedule_csv.h"
#include "core/store/store.h"
#endif

namespace tp::ui {

#ifdef TAILPRUNE_HAS_STORE
SavedScheduleRef save_schedule_to_store(const QString& store_path, const Schedule& schedule) {
    validate(schedule);
    auto store = store::Store::open(store_path.toStdString(), store::Mode::Create);
    const store::SavedRevision saved = store.save_schedule(schedule);
    for (const Measurement& m : schedule.measurements) store.add_evaluation(saved.schedule_id, saved.revision, m);
    return {saved.schedule_id, saved.revision};
}

Schedule load_schedule_from_store(const QString& store_path, const QString& id_or_name, int revision) {
    auto store = store::Store::open(store_path.toStdString(), store::Mode::ReadOnly);
    return store.load_schedule(store.find_schedule(id_or_name.toStdString()), revision);
}

std::vector<StoredScheduleEntry> list_stored_schedules(const QString& store_path) {
    auto store = store::Store::open(store_path.toStdString(), store::Mode::ReadOnly);
    std::vector<StoredScheduleEntry> out;
    for (const store::ScheduleRow& row : store.list_schedules()) {
        StoredScheduleEntry e;
        e.name = QString::fromStdString(row.name);
        e.label = QString("%1 — rev %2, %3, %4 on %5%6")
                      .arg(e.name)
                      .arg(row.revision)
                      .arg(QString::fromStdString(row.status), QString::fromStdString(row.method),
                           QString::fromStdString(row.device))
                      .arg(row.stale_reasons.empty() ? QString() : " (stale)");
        for (const store::RevisionRow& r : store.schedule_history(row.id)) e.revisions.push_back(r.revision);
        std::sort(e.revisions.rbegin(), e.revisions.rend());
        out.push_back(std::move(e));
    }
    return out;
}

#else
namespace {
[[noreturn]] void no_store() { throw FormatError("store", "this build of the studio has no store (SQLiteCpp not found)"); }
}  // namespace
SavedScheduleRef save_schedule_to_store(const QString&, const Schedule&) { no_store(); }
Schedule load_schedule_from_store(const QString&, const QString&, int) { no_store(); }
std::vector<StoredScheduleEntry> list_stored_schedules(const QString&) { no_store(); }
#endif

void export_schedule(const Schedule& schedule, const QString& path) {
    validate(schedule);
    if (path.endsWith(".csv", Qt::CaseInsensitive)) {
#ifndef TAILPRUNE_HAS_STORE
        throw FormatError(path.toStdString(), "CSV export needs the store's format (this build has no store)");
#else
        write_text_file_atomically(path.toStdString(), store::schedule_to_csv(schedule));
#endif
    } else {
        save_schedule(schedule, path.toStdString());
    }
}

}  // namespace tp::ui
