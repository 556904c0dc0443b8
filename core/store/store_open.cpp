// Opening a store: modes, journal choice, bad-file errors and schema migration.
#include <cctype>
#include <cstdlib>
#include <filesystem>

#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/store/schema.h"
#include "core/store/store_impl.h"
#include "core/store/store_location.h"

namespace tp::store {
namespace {

namespace fs = std::filesystem;

bool is_read_only_file(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return false;
    // Mode bits too: root passes access(W_OK) on a chmod 444 file, but its owner meant it read-only.
    return ::access(path.c_str(), W_OK) != 0 || (st.st_mode & 0222) == 0;
}

std::string uri_escape(const std::string& path) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : path) {
        if (std::isalnum(c) || c == '/' || c == '-' || c == '_' || c == '.' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

Journal journal_from_text(const std::string& text) {
    if (text.empty() || text == "auto") return Journal::Auto;
    if (text == "wal") return Journal::Wal;
    if (text == "rollback" || text == "delete") return Journal::Rollback;
    throw StoreError(StoreError::Kind::Invalid,
                     "TAILPRUNE_STORE_JOURNAL must be auto, wal or rollback (is '" + text + "')");
}

void set_journal(Store::Impl& impl) {
    Journal wanted = impl.options.journal;
    if (wanted == Journal::Auto) wanted = file_system_of(impl.path).network ? Journal::Rollback : Journal::Wal;
    std::string target = wanted == Journal::Wal ? "wal" : "delete";
    // WAL + synchronous=NORMAL keeps every commit across a crash of the process (SIGKILL included)
    // and the file uncorrupted on power loss (the last commits may roll back); FULL costs an fsync
    // per commit. The rollback journal keeps FULL.
    impl.db.exec(wanted == Journal::Wal ? "PRAGMA synchronous = NORMAL" : "PRAGMA synchronous = FULL");
    std::string current = impl.db.execAndGet("PRAGMA journal_mode").getString();
    if (current == target) return;
    std::string now = impl.db.execAndGet("PRAGMA journal_mode = " + target).getString();
    if (now != target && wanted == Journal::Rollback)
        throw StoreError(StoreError::Kind::Locked,
                         impl.path + ": the store is in WAL mode but sits on a network file system; "
                                     "close the other programs using it and retry so it can switch to a "
                                     "rollback journal");
}

void require_tailprune_store(SQLite::Database& db, const std::string& path) {
    int version = db.execAndGet("PRAGMA user_version").getInt();
    int tables = db.execAndGet("SELECT count(*) FROM sqlite_master").getInt();
    if (version == 0 && tables > 0)
        throw StoreError(StoreError::Kind::NotSqlite,
                         path + ": an SQLite database but not a TailPrune store (it has other tables)");
}

}  // namespace

StoreError translate(const SQLite::Exception& e, const std::string& path) {
    using K = StoreError::Kind;
    switch (e.getErrorCode() & 0xff) {
        case SQLITE_BUSY:
        case SQLITE_LOCKED:
            return StoreError(K::Locked, path + ": the store is locked by another writer (waited for the busy "
                                                "timeout); try again later");
        case SQLITE_READONLY:
            return StoreError(K::ReadOnly, path + ": the store is read-only here (" + std::string(e.what()) + ")");
        case SQLITE_CORRUPT:
            return StoreError(K::Corrupt, path + ": the store file is damaged (" + std::string(e.what()) +
                                              "); restore it from a backup or a published snapshot");
        case SQLITE_NOTADB:
            return StoreError(K::NotSqlite, path + ": not an SQLite database (is this really a TailPrune store?)");
        case SQLITE_CANTOPEN:
            return StoreError(K::NotFound, path + ": cannot open the store (" + std::string(e.what()) + ")");
        default:
            return StoreError(K::Invalid, path + ": " + e.what());
    }
}

void Store::Impl::require_writable(const char* action) const {
    if (!writable())
        throw StoreError(StoreError::Kind::ReadOnly,
                         path + ": opened read-only, cannot " + action);
}

Options options_from_environment() {
    Options o;
    if (const char* ms = std::getenv("TAILPRUNE_STORE_TIMEOUT_MS"); ms && *ms) {
        char* end = nullptr;
        long v = std::strtol(ms, &end, 10);
        if (*end != '\0' || v < 0)
            throw StoreError(StoreError::Kind::Invalid, "TAILPRUNE_STORE_TIMEOUT_MS must be milliseconds");
        o.busy_timeout_ms = static_cast<int>(v);
    }
    if (const char* j = std::getenv("TAILPRUNE_STORE_JOURNAL")) o.journal = journal_from_text(j);
    return o;
}

Store Store::open(const std::string& path, Mode mode, const Options& options) {
    using K = StoreError::Kind;
    std::error_code ec;
    bool exists = fs::exists(path, ec);
    if (!exists && mode != Mode::Create)
        throw StoreError(K::NotFound, path + ": no store here (create one with `tailprune store init`)");
    if (exists && fs::is_directory(path, ec)) throw StoreError(K::NotFound, path + ": is a folder, not a store file");
    if (mode == Mode::Create || mode == Mode::ReadWrite) {
        if (exists && is_read_only_file(path))
            throw StoreError(K::ReadOnly, path + ": the file is read-only; open it read-only or fix its permissions");
        fs::path folder = fs::absolute(path).parent_path();
        if (!exists) fs::create_directories(folder, ec);
        if (::access(folder.c_str(), W_OK) != 0)
            throw StoreError(K::ReadOnly, path + ": its folder is not writable (SQLite writes its journal there)");
    }

    int flags = 0;
    std::string name = path;
    switch (mode) {
        case Mode::Create: flags = SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE; break;
        case Mode::ReadWrite: flags = SQLite::OPEN_READWRITE; break;
        case Mode::ReadOnly: flags = SQLite::OPEN_READONLY; break;
        case Mode::Snapshot:
            flags = SQLite::OPEN_READONLY | SQLite::OPEN_URI;
            name = "file:" + uri_escape(fs::absolute(path).string()) + "?immutable=1";
            break;
    }
    return guarded(path, [&] {
        SQLite::Database db(name, flags, options.busy_timeout_ms);
        auto impl = std::make_unique<Impl>(path, mode, options, std::move(db));
        SQLite::Database& d = impl->db;
        d.exec("PRAGMA foreign_keys = ON");
        require_tailprune_store(d, path);  // first read: fails with NOTADB on a non-SQLite file
        int version = d.execAndGet("PRAGMA user_version").getInt();
        if (version > kSchemaVersion) migrate(d, path);  // throws NewerSchema, writes nothing
        if (impl->writable()) {
            set_journal(*impl);
            migrate(d, path);
        } else if (version < kSchemaVersion) {
            throw StoreError(version == 0 ? K::NotFound : K::Invalid,
                             version == 0 ? path + ": empty file, not a TailPrune store"
                                          : path + ": store schema version " + std::to_string(version) +
                                                " is older than this TailPrune's (" +
                                                std::to_string(kSchemaVersion) +
                                                "); open it for writing once (`tailprune store init`) to upgrade it");
        }
        return Store(std::move(impl));
    });
}

Store::Store(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Store::Store(Store&&) noexcept = default;
Store& Store::operator=(Store&&) noexcept = default;
Store::~Store() = default;

const std::string& Store::path() const { return impl_->path; }
Mode Store::mode() const { return impl_->mode; }
std::string Store::journal_mode() const {
    return guarded(impl_->path, [&] { return impl_->db.execAndGet("PRAGMA journal_mode").getString(); });
}

}  // namespace tp::store
