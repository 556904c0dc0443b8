#pragma once
#include <string>

namespace tp::store {

// The store file to use: `explicit_path` if not empty, else $TAILPRUNE_STORE, else the per-user
// default $XDG_DATA_HOME/tailprune/store.sqlite (~/.local/share/tailprune/store.sqlite when
// XDG_DATA_HOME is unset or not absolute).
std::string resolve_store_path(const std::string& explicit_path);
std::string default_store_path();

// Which file system holds `path` (or its folder when the file does not exist yet).
struct FileSystemInfo {
    bool network = false;        // NFS, SMB/CIFS, 9p, FUSE (sshfs, ...), AFS, Ceph, Lustre, ...
    std::string name;            // "nfs", "cifs", "local", ...
};
FileSystemInfo file_system_of(const std::string& path);

}  // namespace tp::store
