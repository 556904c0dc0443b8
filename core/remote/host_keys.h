#pragma once
#include <optional>
#include <string>

#include "core/remote/device_list.h"

namespace tp::remote {

// Whether the device's host is recorded in the known_hosts file ssh will use (`ssh-keygen -F`).
bool host_key_known(const DeviceEntry& device);

// The recorded key's fingerprint line ("SHA256:... (ED25519)"), if any (`ssh-keygen -l -F`).
std::optional<std::string> host_key_fingerprint(const DeviceEntry& device);

}  // namespace tp::remote
