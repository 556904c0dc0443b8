#include "core/model/machine_identity_json.h"

#include <cmath>

#include "core/util/input_limits.h"

namespace tp {

nlohmann::json to_json(const MachineIdentity& id) {
    nlohmann::json j = nlohmann::json::object();
    auto text = [&](const char* key, const std::string& value) {
        if (!value.empty()) j[key] = value;
    };
    text("kind", id.kind);
    text("device", id.device);
    text("cpu_signature", id.cpu_signature);
    text("hostname", id.hostname);
    text("machine_id", id.machine_id);
    text("kernel", id.kernel);
    text("blas", id.blas);
    text("core_type", id.core_type);
    text("torch_version", id.torch_version);
    text("driver", id.driver);
    if (id.torch_threads > 0) j["torch_threads"] = id.torch_threads;
    if (id.blas_threads > 0) j["blas_threads"] = id.blas_threads;
    if (id.clock_mhz > 0) j["clock_mhz"] = id.clock_mhz;
    if (id.mem_clock_mhz > 0) j["mem_clock_mhz"] = id.mem_clock_mhz;
    return j;
}

MachineIdentity machine_identity_from_json(const JsonReader& r) {
    r.only_keys({"kind", "device", "cpu_signature", "hostname", "machine_id", "kernel", "blas", "core_type",
                 "torch_version", "driver", "torch_threads", "blas_threads", "clock_mhz", "mem_clock_mhz"});
    MachineIdentity id;
    id.kind = r.str_or("kind", "");
    id.device = r.str_or("device", "");
    id.cpu_signature = r.str_or("cpu_signature", "");
    id.hostname = r.str_or("hostname", "");
    id.machine_id = r.str_or("machine_id", "");
    id.kernel = r.str_or("kernel", "");
    id.blas = r.str_or("blas", "");
    id.core_type = r.str_or("core_type", "");
    id.torch_version = r.str_or("torch_version", "");
    id.driver = r.str_or("driver", "");
    auto threads = [&](const char* key) {
        const long long v = r.integer_or(key, 0);
        if (v < 0 || v > 1 << 20) r.fail(key, "expected a thread count");
        return static_cast<int>(v);
    };
    id.torch_threads = threads("torch_threads");
    id.blas_threads = threads("blas_threads");
    auto clock = [&](const char* key) {
        const double v = r.num_or(key, 0);
        if (!std::isfinite(v) || v < 0 || v > 1e6) r.fail(key, "expected a clock in MHz");
        return v;
    };
    id.clock_mhz = clock("clock_mhz");
    id.mem_clock_mhz = clock("mem_clock_mhz");
    return id;
}

}  // namespace tp
