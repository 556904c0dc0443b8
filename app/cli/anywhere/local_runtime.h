#pragma once
// Commands in app/cli/anywhere/ run on a device (--on NAME) in every build, and here only when this
// tailprune has the LibTorch runtime (a studio build without LibTorch still drives remote agents).
#include "app/cli/command_registry.h"

namespace tp::cli {

#ifdef TAILPRUNE_HAS_TORCH
inline constexpr bool kHasLocalRuntime = true;
#else
inline constexpr bool kHasLocalRuntime = false;
#endif

// Throws the one clear error for a local run in a build without the runtime.
inline void require_local_runtime(const char* command) {
    if (!kHasLocalRuntime)
        throw CommandError(std::string("this tailprune was built without LibTorch: `") + command +
                           "` runs on a device only (--on NAME; tailprune device list)");
}

}  // namespace tp::cli
