#pragma once
// The TailPrune store: one SQLite file shared by studios, the CLI and deployment teams.
//
//   auto store = tp::store::Store::open(path, tp::store::Mode::Create);
//   auto imported = store.import_profile(profile);        // deduplicated by content hash
//   tp::Profile p = store.load_profile(imported.run_id);  // identical to `profile`
//   auto saved = store.save_schedule(schedule);           // a new revision of schedule.name
//   tp::Schedule s = store.load_schedule(saved.schedule_id);       // latest revision, with evaluations
//   store.set_status(saved.schedule_id, "approved");      // also a new revision
//   store.add_evaluation(saved.schedule_id, saved.revision, measurement);
//   store.publish("snapshot.sqlite");                     // consistent copy for deployment
//   auto ro = tp::store::Store::open("snapshot.sqlite", tp::store::Mode::Snapshot);
//
// Listings: list_devices/models/runs/schedules, schedule_history, list_calibrations.
// Every write is one BEGIN IMMEDIATE transaction (writers wait up to busy_timeout_ms, then get
// StoreError::Kind::Locked). Every read is one statement or one short read transaction; nothing
// stays open between calls, so a browsing studio never starves writers.
// Journal: WAL on local disks, rollback journal on network file systems (store_location.h).
// All failures throw StoreError (store_error.h) or tp::FormatError and leave the file unchanged.
// A Store is one connection: use it from one thread at a time.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/model/profile.h"
#include "core/model/schedule.h"
#include "core/store/staleness.h"
#include "core/store/store_error.h"

namespace tp::store {

enum class Mode {
    Create,     // read-write; creates the file (and its folder) when missing
    ReadWrite,  // read-write; the file must exist
    ReadOnly,   // read-only on a live store: never writes, still sees other writers' commits
    Snapshot,   // consumer of a published snapshot: read-only + immutable, no locks, no journal files
};
enum class Journal { Auto, Wal, Rollback };

struct Options {
    int busy_timeout_ms = 10000;
    Journal journal = Journal::Auto;  // Auto: WAL unless the file sits on a network file system
    EdgeFinder edge_finder = default_edge_finder();  // for staleness; empty disables it
};
// Options from the environment: TAILPRUNE_STORE_TIMEOUT_MS, TAILPRUNE_STORE_JOURNAL=auto|wal|rollback.
Options options_from_environment();

struct DeviceRow {
    std::int64_t id = 0;
    std::string identity, name, kind, host;
    int runs = 0;
};
struct ModelRow {
    std::int64_t id = 0;
    std::string name, architecture, weights_hash;
    int depth = 0, embed_dim = 0, heads = 0, tokens = 0, image_size = 0;
    int runs = 0;
};
struct RunRow {
    std::int64_t id = 0;
    std::string label, device, model, dtype, mode, date, who, torch_version, content_hash, imported_at;
    int batch = 0, curves = 0;
};
struct ScheduleRow {
    std::int64_t id = 0;
    std::string name, status, method, model, device, dtype, author, created, updated;
    int revision = 0, batch = 0;
    std::vector<std::string> stale_reasons;  // empty: not stale
};
struct RevisionRow {
    int revision = 0;
    std::string status, author, updated, notes, method;
    std::vector<int> tokens_after_block;
    std::optional<std::int64_t> tuned_run_id;
};
struct Calibration {
    std::int64_t id = 0;
    ModelInfo model;              // identity fields only (batch and dtype are ignored)
    std::string dataset, subset, method, metric = "top1", date, who;
    std::vector<int> tokens_after_block;
    double value = 0;
    int images = 0;
};
struct ImportResult {
    std::int64_t run_id = 0;
    bool added = false;           // false: the same content was already there
    std::string content_hash;
    int schedules_flagged_stale = 0;
};
struct SavedRevision {
    std::int64_t schedule_id = 0;
    int revision = 0;
};
struct RunFilter {
    std::optional<std::int64_t> device_id, model_id;
};

class Store {
public:
    static Store open(const std::string& path, Mode mode, const Options& options = options_from_environment());
    Store(Store&&) noexcept;
    Store& operator=(Store&&) noexcept;
    ~Store();

    const std::string& path() const;
    Mode mode() const;
    std::string journal_mode() const;  // "wal" or "delete" (or whatever the file uses)

    // Profiles (measurement runs).
    ImportResult import_profile(const Profile& profile);
    Profile load_profile(std::int64_t run_id) const;
    std::vector<DeviceRow> list_devices() const;
    std::vector<ModelRow> list_models() const;
    std::vector<RunRow> list_runs(const RunFilter& filter = {}) const;

    // Schedules. A schedule is named; every save is a new revision (1, 2, ...).
    // `tuned_run_id`: the run it was tuned on; default: the newest run of its device, model,
    // batch and dtype (none when the schedule names no device).
    SavedRevision save_schedule(const Schedule& schedule, std::optional<std::int64_t> tuned_run_id = {});
    // `id_or_name`: a number is an id, anything else a name. Throws NotFound.
    std::int64_t find_schedule(const std::string& id_or_name) const;
    // revision 0: the latest. Fills revision, status, created/updated and measurements.
    Schedule load_schedule(std::int64_t schedule_id, int revision = 0) const;
    std::vector<ScheduleRow> list_schedules() const;
    std::vector<RevisionRow> schedule_history(std::int64_t schedule_id) const;
    SavedRevision set_status(std::int64_t schedule_id, const std::string& status, const std::string& author = {});
    // Measured latency/accuracy of one revision; `measurement.dataset` may be "dataset:subset".
    void add_evaluation(std::int64_t schedule_id, int revision, const Measurement& measurement);
    std::vector<std::string> stale_reasons(std::int64_t schedule_id) const;

    // Accuracy calibrations (rows of measured accuracy per schedule, for the accuracy model).
    std::int64_t add_calibration(const Calibration& row);
    std::vector<Calibration> list_calibrations(const std::string& model_name = {}) const;

    // Writes a consistent, compact copy (VACUUM INTO) that deployment opens with Mode::Snapshot.
    // Fails if `out` exists.
    void publish(const std::string& out) const;
    // SQLite integrity and foreign-key checks plus the store's own invariants (content hashes
    // match, revisions contiguous, ...). Empty: clean.
    std::vector<std::string> check() const;

    struct Impl;  // internal (core/store/store_impl.h)

private:
    explicit Store(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

// The canonical content hash of a profile (SHA-256 of its canonical JSON).
std::string profile_hash(const Profile& profile);

}  // namespace tp::store
