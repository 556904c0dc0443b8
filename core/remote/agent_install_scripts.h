#pragma once
// The two POSIX shell scripts `tailprune device install` runs on a device (docs/remote-devices.md,
// "Installing the agent"). Fixed texts of ours: each is sent as the one quoted argument of
// `sh -c SCRIPT sh ARGS...`, its arguments quoted word by word (core/remote/shell_quote.h); no
// user text is ever spliced into them.
#include <string>

namespace tp::remote {

// Prints what the build needs as `tp-probe: KEY=VALUE` lines (agent_probe.h parses them): arch,
// glibc, compiler, CMake, Ninja/make, LibTorch (Debian's, else the one inside python3's torch),
// CUDA, zlib, the header-only libraries, cores, memory, free space, Jetson release, HOME. No args.
const std::string& agent_probe_script();

// `sh -c SCRIPT sh install BUNDLE ID ARCH JOBS TIMEOUT_S CMAKE TORCH_PREFIX`: unpacks the bundle
// (a path relative to HOME), copies changed files into ~/.cache/tailprune/agent/src-ARCH, builds in
// build-ARCH under the mkdir lock .lock-ARCH (a stale one, older than TIMEOUT_S or whose process
// is gone on this host, is taken over), runs `tailprune agent --self-check`, and switches the
// symlink ~/.cache/tailprune/agent/ID-ARCH to the new build atomically (rename of a symlink).
// `sh -c SCRIPT sh cancel ARCH`: ends the install holding that lock on this host.
// Progress goes out as `tp-install: stage NAME`, `tp-install: selfcheck JSON`,
// `tp-install: done PATH`, `tp-install: error MESSAGE`; everything else is the build's log.
const std::string& agent_install_script();

// `sh -c SCRIPT sh upload PATH`: stdin to HOME/PATH.part, then renamed to HOME/PATH (0600).
const std::string& agent_upload_script();

}  // namespace tp::remote
