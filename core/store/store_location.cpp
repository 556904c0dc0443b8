#include "core/store/store_location.h"

#include <cstdlib>
#include <filesystem>

#include <sys/vfs.h>

namespace tp::store {

std::string default_store_path() {
    namespace fs = std::filesystem;
    const char* xdg = std::getenv("XDG_DATA_HOME");
    fs::path base;
    if (xdg && *xdg && fs::path(xdg).is_absolute()) {
        base = xdg;
    } else {
        const char* home = std::getenv("HOME");
        base = fs::path(home && *home ? home : ".") / ".local" / "share";
    }
    return (base / "tailprune" / "store.sqlite").string();
}

std::string resolve_store_path(const std::string& explicit_path) {
    if (!explicit_path.empty()) return explicit_path;
    const char* env = std::getenv("TAILPRUNE_STORE");
    if (env && *env) return env;
    return default_store_path();
}

FileSystemInfo file_system_of(const std::string& path) {
    namespace fs = std::filesystem;
    // statfs magic numbers (linux/magic.h and the file systems' own headers).
    struct Magic {
        unsigned long value;
        const char* name;
    };
    static const Magic kNetwork[] = {
        {0x6969, "nfs"},         {0x517B, "smb"},        {0xFF534D42, "cifs"}, {0xFE534D42, "smb2"},
        {0x01021997, "9p"},      {0x65735546, "fuse"},   {0x5346414F, "afs"},  {0x73757245, "coda"},
        {0x564C, "ncp"},         {0x00C36400, "ceph"},   {0x0BD00BD0, "lustre"}, {0x01161970, "gfs2"},
        {0x7461636F, "ocfs2"},   {0x47504653, "gpfs"},   {0x013111A8, "ibrix"}, {0x6B414653, "kafs"},
    };
    fs::path probe = fs::absolute(path);
    std::error_code ec;
    while (!probe.empty() && !fs::exists(probe, ec) && probe != probe.root_path()) probe = probe.parent_path();
    struct statfs info {};
    if (statfs(probe.c_str(), &info) != 0) return {false, "unknown"};
    auto magic = static_cast<unsigned long>(static_cast<unsigned int>(info.f_type));
    for (const auto& m : kNetwork)
        if (m.value == magic) return {true, m.name};
    return {false, "local"};
}

}  // namespace tp::store
