#include "core/store/schema.h"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Transaction.h>

#include "core/store/store_error.h"

namespace tp::store {
namespace {

// v1: devices, models, measurement runs with curves and points, schedules with revisions.
const std::vector<std::string> kV1 = {
    R"(CREATE TABLE devices (
         id INTEGER PRIMARY KEY,
         identity TEXT NOT NULL UNIQUE,
         name TEXT NOT NULL, kind TEXT NOT NULL, host TEXT NOT NULL))",
    R"(CREATE TABLE models (
         id INTEGER PRIMARY KEY,
         name TEXT NOT NULL, architecture TEXT NOT NULL, depth INTEGER NOT NULL, embed_dim INTEGER NOT NULL,
         heads INTEGER NOT NULL, mlp_ratio_x100 INTEGER NOT NULL, patch INTEGER NOT NULL,
         image_size INTEGER NOT NULL, channels INTEGER NOT NULL, num_classes INTEGER NOT NULL,
         tokens INTEGER NOT NULL, weights_hash TEXT NOT NULL,
         UNIQUE (name, architecture, depth, embed_dim, heads, mlp_ratio_x100, patch, image_size, channels,
                 num_classes, tokens, weights_hash)))",
    // One measured profile. The device as measured (hardware numbers and software stack) is kept
    // in full per run; `devices` only groups runs by identity.
    R"(CREATE TABLE runs (
         id INTEGER PRIMARY KEY,
         content_hash TEXT NOT NULL UNIQUE,
         format_version INTEGER NOT NULL, label TEXT NOT NULL, notes TEXT NOT NULL,
         device_id INTEGER NOT NULL REFERENCES devices(id),
         model_id INTEGER NOT NULL REFERENCES models(id),
         batch INTEGER NOT NULL, dtype TEXT NOT NULL,
         sm_count INTEGER NOT NULL, memory_gb REAL NOT NULL, sm_clock_mhz REAL NOT NULL,
         mem_clock_mhz REAL NOT NULL, l2_bytes INTEGER NOT NULL,
         driver_version TEXT NOT NULL, runtime_version TEXT NOT NULL, torch_version TEXT NOT NULL,
         blas TEXT NOT NULL, tf32 INTEGER NOT NULL, attention_backend TEXT NOT NULL, device_extra TEXT NOT NULL,
         mode TEXT NOT NULL, l2 TEXT NOT NULL, warmup INTEGER NOT NULL, rounds INTEGER NOT NULL,
         stop_min_samples INTEGER NOT NULL, stop_min_time_s REAL NOT NULL, stop_target_rel_noise REAL NOT NULL,
         stop_timeout_s REAL NOT NULL, torch_threads INTEGER NOT NULL, blas_threads INTEGER NOT NULL,
         date TEXT NOT NULL, tool_version TEXT NOT NULL, who TEXT NOT NULL, environment TEXT NOT NULL,
         imported_at TEXT NOT NULL))",
    R"(CREATE TABLE curves (
         id INTEGER PRIMARY KEY,
         run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
         position INTEGER NOT NULL, name TEXT NOT NULL, partial INTEGER NOT NULL,
         scope_kind TEXT NOT NULL, scope_block INTEGER NOT NULL, scope_method TEXT NOT NULL,
         scope_tokens_in INTEGER NOT NULL, scope_part TEXT NOT NULL,
         UNIQUE (run_id, name), UNIQUE (run_id, position)))",
    R"(CREATE TABLE points (
         curve_id INTEGER NOT NULL REFERENCES curves(id) ON DELETE CASCADE,
         tokens INTEGER NOT NULL, samples INTEGER NOT NULL,
         median_ms REAL NOT NULL, mean_ms REAL NOT NULL, p10_ms REAL NOT NULL, p90_ms REAL NOT NULL,
         min_ms REAL NOT NULL, rel_noise REAL NOT NULL, stop_reason TEXT NOT NULL,
         raw_ms BLOB, discarded INTEGER NOT NULL,
         sm_clock_mhz REAL, temperature_c REAL, power_w REAL, cpu_mhz REAL,
         PRIMARY KEY (curve_id, tokens)) WITHOUT ROWID)",
    R"(CREATE TABLE census (
         run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
         position INTEGER NOT NULL, kernel_position INTEGER NOT NULL,
         curve TEXT NOT NULL, tokens INTEGER NOT NULL,
         name TEXT, grid INTEGER, block INTEGER, duration_us REAL,
         PRIMARY KEY (run_id, position, kernel_position)) WITHOUT ROWID)",
    R"(CREATE TABLE schedules (
         id INTEGER PRIMARY KEY,
         name TEXT NOT NULL UNIQUE,
         created TEXT NOT NULL))",
    // An edit adds a revision; no revision is ever updated or deleted.
    R"(CREATE TABLE schedule_revisions (
         id INTEGER PRIMARY KEY,
         schedule_id INTEGER NOT NULL REFERENCES schedules(id),
         revision INTEGER NOT NULL CHECK (revision >= 1),
         model_id INTEGER NOT NULL REFERENCES models(id),
         device_id INTEGER REFERENCES devices(id),
         device TEXT NOT NULL,
         batch INTEGER NOT NULL, dtype TEXT NOT NULL,
         method TEXT NOT NULL, parameters TEXT NOT NULL, tokens_after_block TEXT NOT NULL,
         notes TEXT NOT NULL, author TEXT NOT NULL,
         status TEXT NOT NULL CHECK (status IN ('draft', 'approved', 'deployed')),
         format_version INTEGER NOT NULL,
         predicted_ms REAL, predicted_low_ms REAL, predicted_high_ms REAL,
         updated TEXT NOT NULL,
         UNIQUE (schedule_id, revision)))",
    "CREATE INDEX runs_by_device_model ON runs (device_id, model_id)",
};

// v2: evaluations of schedules and accuracy calibrations.
const std::vector<std::string> kV2 = {
    // `config_hash` identifies what was measured (method, parameters, tokens, model, device, batch,
    // dtype): a status change makes a new revision that keeps its measurements.
    "ALTER TABLE schedule_revisions ADD COLUMN config_hash TEXT NOT NULL DEFAULT ''",
    R"(CREATE TABLE evaluations (
         id INTEGER PRIMARY KEY,
         revision_id INTEGER NOT NULL REFERENCES schedule_revisions(id),
         kind TEXT NOT NULL CHECK (kind IN ('latency', 'top1', 'top5')),
         value REAL NOT NULL, low REAL NOT NULL, high REAL NOT NULL,
         device TEXT NOT NULL, dataset TEXT NOT NULL, subset TEXT NOT NULL, images INTEGER NOT NULL,
         date TEXT NOT NULL, tool_version TEXT NOT NULL))",
    R"(CREATE TABLE calibrations (
         id INTEGER PRIMARY KEY,
         model_id INTEGER NOT NULL REFERENCES models(id),
         dataset TEXT NOT NULL, subset TEXT NOT NULL, method TEXT NOT NULL,
         tokens_after_block TEXT NOT NULL, metric TEXT NOT NULL CHECK (metric IN ('top1', 'top5')),
         value REAL NOT NULL, images INTEGER NOT NULL, date TEXT NOT NULL, who TEXT NOT NULL))",
    "CREATE INDEX evaluations_by_revision ON evaluations (revision_id)",
    "CREATE INDEX calibrations_by_model ON calibrations (model_id, dataset, method)",
};

// v3: staleness. A revision records the run it was tuned on (its software stack is that run's);
// an import of a newer run whose edges moved records why the schedule went stale.
const std::vector<std::string> kV3 = {
    "ALTER TABLE schedule_revisions ADD COLUMN tuned_run_id INTEGER REFERENCES runs(id)",
    R"(CREATE TABLE stale_flags (
         revision_id INTEGER NOT NULL REFERENCES schedule_revisions(id),
         newer_run_id INTEGER NOT NULL REFERENCES runs(id),
         reason TEXT NOT NULL,
         PRIMARY KEY (revision_id, newer_run_id)) WITHOUT ROWID)",
};

// v4: the board state of boards without NVML (Jetsons, issue 22) per point, and the clock flags a
// sweep ended with per run (NULL: not recorded, judged from the points on read as for files).
const std::vector<std::string> kV4 = {
    "ALTER TABLE points ADD COLUMN gpu_mhz REAL",
    "ALTER TABLE points ADD COLUMN gpu_min_mhz REAL",
    "ALTER TABLE points ADD COLUMN gpu_max_mhz REAL",
    "ALTER TABLE points ADD COLUMN gpu_load REAL",
    "ALTER TABLE points ADD COLUMN hottest_c REAL",
    "ALTER TABLE points ADD COLUMN over_trip TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE runs ADD COLUMN clock_flags TEXT",
};

int user_version(SQLite::Database& db) { return db.execAndGet("PRAGMA user_version").getInt(); }

}  // namespace

const std::vector<std::string>& schema_steps(int to) {
    static const std::vector<std::string> none;
    switch (to) {
        case 1: return kV1;
        case 2: return kV2;
        case 3: return kV3;
        case 4: return kV4;
        default: return none;
    }
}

void create_schema_version(SQLite::Database& db, int version) {
    SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
    for (int v = user_version(db) + 1; v <= version; ++v)
        for (const auto& sql : schema_steps(v)) db.exec(sql);
    db.exec("PRAGMA user_version = " + std::to_string(version));
    tx.commit();
}

void migrate(SQLite::Database& db, const std::string& path) {
    auto too_new = [&](int found) {
        return StoreError(StoreError::Kind::NewerSchema,
                          path + ": store schema version " + std::to_string(found) +
                              " is newer than this TailPrune supports (" + std::to_string(kSchemaVersion) +
                              "); update TailPrune to use it");
    };
    int found = user_version(db);
    if (found == kSchemaVersion) return;
    if (found > kSchemaVersion) throw too_new(found);
    SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
    found = user_version(db);  // another process may have migrated while we waited for the lock
    if (found > kSchemaVersion) throw too_new(found);
    for (int v = found + 1; v <= kSchemaVersion; ++v)
        for (const auto& sql : schema_steps(v)) db.exec(sql);
    db.exec("PRAGMA user_version = " + std::to_string(kSchemaVersion));
    tx.commit();
}

}  // namespace tp::store
