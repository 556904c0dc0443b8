#pragma once
#include <string>
#include <vector>

namespace SQLite {
class Database;
}

namespace tp::store {

// The store's schema history. Version 1 is the first released layout; each later version is a
// forward migration from the one before. A new store is built by running v1 and every migration,
// so new and migrated stores are identical by construction.
constexpr int kSchemaVersion = 4;

// SQL statements taking a store from version `to - 1` to `to` (to == 1 creates the v1 tables).
const std::vector<std::string>& schema_steps(int to);

// Brings the open database from its PRAGMA user_version to kSchemaVersion in one BEGIN IMMEDIATE
// transaction (a concurrent opener waits, then sees the finished schema). Throws StoreError
// (NewerSchema) for a newer file, without changing it.
void migrate(SQLite::Database& db, const std::string& path);

// Builds a store file frozen at schema version `version` (tests of the migrations use it).
void create_schema_version(SQLite::Database& db, int version);

}  // namespace tp::store
