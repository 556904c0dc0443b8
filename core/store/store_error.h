#pragma once
#include <stdexcept>
#include <string>

namespace tp::store {

// One clear, user-facing error about a store file; when it is thrown nothing was changed.
class StoreError : public std::runtime_error {
public:
    enum class Kind {
        NotFound,      // the file or the schedule/run named does not exist
        NotSqlite,     // the file is not an SQLite database
        Corrupt,       // SQLite reports the file damaged
        NewerSchema,   // written by a newer TailPrune (schema version above ours)
        ReadOnly,      // opened for writing but the file or its folder is read-only
        Locked,        // another writer held the lock past the busy timeout
        Invalid,       // the request itself is wrong (bad status, invalid schedule, ...)
    };
    StoreError(Kind kind, const std::string& what) : std::runtime_error(what), kind_(kind) {}
    Kind kind() const { return kind_; }

private:
    Kind kind_;
};

}  // namespace tp::store
