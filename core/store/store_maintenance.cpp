// `store check` and `store publish`.
#include <filesystem>

#include "core/util/format_error.h"
#include "core/store/store_impl.h"

namespace tp::store {

std::vector<std::string> Store::check() const {
    return read_transaction(*impl_, [&] {
        SQLite::Database& db = impl_->db;
        std::vector<std::string> problems;
        {
            SQLite::Statement q(db, "PRAGMA integrity_check");
            while (q.executeStep())
                if (q.getColumn(0).getString() != "ok") problems.push_back("integrity: " + q.getColumn(0).getString());
        }
        {
            SQLite::Statement q(db, "PRAGMA foreign_key_check");
            while (q.executeStep())
                problems.push_back("foreign key: " + q.getColumn(0).getString() + " row " +
                                   q.getColumn(1).getString() + " points to a missing " + q.getColumn(2).getString());
        }
        // Every run still hashes to the content it was imported with: nothing half-written or edited.
        std::vector<std::pair<std::int64_t, std::string>> runs;
        {
            SQLite::Statement q(db, "SELECT id, content_hash FROM runs ORDER BY id");
            while (q.executeStep()) runs.emplace_back(q.getColumn(0).getInt64(), q.getColumn(1).getString());
        }
        for (const auto& [id, hash] : runs) {
            std::string where = "run " + std::to_string(id);
            try {
                if (profile_hash(read_profile(db, id)) != hash)
                    problems.push_back(where + ": content does not match its hash (changed outside TailPrune?)");
            } catch (const std::exception& e) {
                problems.push_back(where + ": unreadable (" + e.what() + ")");
            }
        }
        // Revisions numbered 1..N without gaps; every schedule has at least one.
        {
            SQLite::Statement q(db, "SELECT s.name, count(r.id), coalesce(min(r.revision), 0), "
                                    "coalesce(max(r.revision), 0) FROM schedules s "
                                    "LEFT JOIN schedule_revisions r ON r.schedule_id = s.id GROUP BY s.id");
            while (q.executeStep()) {
                int count = stored_int(q.getColumn(1)), lo = stored_int(q.getColumn(2)), hi = stored_int(q.getColumn(3));
                if (count == 0 || lo != 1 || hi != count)
                    problems.push_back("schedule '" + q.getColumn(0).getString() + "': revisions are not 1.." +
                                       std::to_string(count));
            }
        }
        // Every revision reads back as a valid schedule.
        std::vector<std::pair<std::int64_t, int>> revisions;
        {
            SQLite::Statement q(db, "SELECT schedule_id, revision FROM schedule_revisions ORDER BY id");
            while (q.executeStep()) revisions.emplace_back(q.getColumn(0).getInt64(), stored_int(q.getColumn(1)));
        }
        for (const auto& [id, rev] : revisions) {
            try {
                Schedule s = read_schedule(*impl_, id, rev);
                validate(s);
            } catch (const std::exception& e) {
                problems.push_back("schedule " + std::to_string(id) + " revision " + std::to_string(rev) + ": " +
                                   e.what());
            }
        }
        return problems;
    });
}

void Store::publish(const std::string& out) const {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (fs::exists(out, ec))
        throw StoreError(StoreError::Kind::Invalid, out + ": already exists; publish writes a new file");
    guarded(impl_->path, [&] {
        SQLite::Statement q(impl_->db, "VACUUM INTO ?");
        q.bind(1, out);
        q.exec();
    });
    // Snapshots are plain rollback-journal files: readable by any SQLite, on read-only media too.
    guarded(out, [&] {
        SQLite::Database copy(out, SQLite::OPEN_READWRITE);
        copy.exec("PRAGMA journal_mode = DELETE");
    });
}

}  // namespace tp::store
