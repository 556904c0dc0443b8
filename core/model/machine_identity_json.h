#pragma once
// MachineIdentity as JSON (the "machine" object of a latency calibration record). Strict reader:
// unknown fields are errors naming the field; every field is optional (older writers knew fewer).
#include <nlohmann/json.hpp>

#include "core/model/machine_identity.h"
#include "core/util/json_reader.h"

namespace tp {

nlohmann::json to_json(const MachineIdentity& identity);
MachineIdentity machine_identity_from_json(const JsonReader& reader);

}  // namespace tp
