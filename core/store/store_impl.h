#pragma once
#include <climits>

#include "core/util/format_error.h"
// Internal to core/store: the connection behind a Store and helpers shared by its source files.
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>
#include <nlohmann/json.hpp>

#include "core/store/store.h"

namespace tp::store {

struct Store::Impl {
    std::string path;
    Mode mode;
    Options options;
    SQLite::Database db;

    Impl(std::string p, Mode m, Options o, SQLite::Database d)
        : path(std::move(p)), mode(m), options(std::move(o)), db(std::move(d)) {}

    // Prepared statements reused across calls (bulk export prepares nothing after the first
    // schedule). Declared after `db` so they are finalised before it closes.
    std::map<std::string, std::unique_ptr<SQLite::Statement>> statements;

    bool writable() const { return mode == Mode::Create || mode == Mode::ReadWrite; }
    void require_writable(const char* action) const;
    // A cached statement, reset and unbound. Do not nest two uses of the same SQL.
    SQLite::Statement& cached(const std::string& sql) {
        auto& s = statements[sql];
        if (!s) {
            s = std::make_unique<SQLite::Statement>(db, sql);
        } else {
            s->reset();
            s->clearBindings();
        }
        return *s;
    }
    // Ends every cached statement so none keeps a read lock once a call returns.
    void reset_cached() {
        for (auto& entry : statements) entry.second->reset();
    }
};

// Maps an SQLite failure on the store at `path` to one clear StoreError.
StoreError translate(const SQLite::Exception& e, const std::string& path);

// Runs `fn` and turns SQLite failures into StoreError. Rows are input from others too (a shared
// store, a snapshot someone sent): a stored value our readers refuse, or stored JSON of the wrong
// shape, is reported as a damaged store, never as a crash or a silently wrong value.
template <class F>
auto guarded(const std::string& path, F&& fn) -> decltype(fn()) {
    try {
        return fn();
    } catch (const SQLite::Exception& e) {
        throw translate(e, path);
    } catch (const FormatError& e) {
        throw StoreError(StoreError::Kind::Corrupt, path + ": a stored row is invalid: " + e.what());
    } catch (const nlohmann::json::exception& e) {
        throw StoreError(StoreError::Kind::Corrupt, path + ": a stored JSON value has the wrong shape: " + e.what());
    }
}

// One transaction with the given behaviour around `fn`: COMMIT when it returns, ROLLBACK when it
// throws, so nothing is half-done.
template <class F>
auto run_transaction(Store::Impl& impl, SQLite::TransactionBehavior behavior, F&& fn) -> decltype(fn()) {
    return guarded(impl.path, [&]() -> decltype(fn()) {
        SQLite::Transaction tx(impl.db, behavior);
        if constexpr (std::is_void_v<decltype(fn())>) {
            fn();
            impl.reset_cached();
            tx.commit();
        } else {
            auto result = fn();
            impl.reset_cached();
            tx.commit();
            return result;
        }
    });
}

// One write: BEGIN IMMEDIATE (waits up to the busy timeout), `fn`, COMMIT; on any exception the
// transaction rolls back and nothing is changed.
template <class F>
auto write_transaction(Store::Impl& impl, const char* action, F&& fn) -> decltype(fn()) {
    impl.require_writable(action);
    return run_transaction(impl, SQLite::TransactionBehavior::IMMEDIATE, std::forward<F>(fn));
}

// One consistent read of several statements; released when `fn` returns.
template <class F>
auto read_transaction(const Store::Impl& const_impl, F&& fn) -> decltype(fn()) {
    auto& impl = const_cast<Store::Impl&>(const_impl);
    return run_transaction(impl, SQLite::TransactionBehavior::DEFERRED, std::forward<F>(fn));
}

std::string now_iso8601();
std::string text_or_empty(const SQLite::Column& column);
// An integer column, range-checked: a stored 4294967296 is an error naming the column, never 0.
int stored_int(const SQLite::Column& column, long long lowest = INT_MIN, long long highest = INT_MAX);
nlohmann::json parse_stored_json(const std::string& text, const std::string& what);
// A stored JSON list of integers (tokens per block), each within lowest..highest (Corrupt otherwise).
std::vector<int> stored_int_list(const std::string& text, const std::string& what, long long lowest, long long highest);

// Row ids of devices and models, inserted when new.
std::int64_t device_id_for(SQLite::Database& db, const DeviceInfo& device);
std::int64_t model_id_for(SQLite::Database& db, const ModelInfo& model);
// Reads the model row `model_id` into a ModelInfo (batch and dtype left at their defaults).
ModelInfo load_model(SQLite::Database& db, std::int64_t model_id);
ModelInfo load_model(Store::Impl& impl, std::int64_t model_id);

// Internal profile reading (inside a transaction the caller holds).
Profile read_profile(SQLite::Database& db, std::int64_t run_id);
Schedule read_schedule(Store::Impl& impl, std::int64_t schedule_id, int revision);

// Flags the latest revisions tuned on an older run of the same device, model, batch and dtype
// when `run_id`'s curves show moved edges. Returns how many were flagged.
int flag_stale_schedules(Store::Impl& impl, std::int64_t run_id, const Profile& newer);

}  // namespace tp::store
