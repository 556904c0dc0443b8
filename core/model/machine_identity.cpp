#include "core/model/machine_identity.h"

#include <cctype>
#include <cmath>
#include <cstdlib>

#include <nlohmann/json.hpp>

#include "core/platform/host_facts.h"
#include "core/platform/timing_environment.h"
#include "core/util/sha256.h"

namespace tp {
namespace {

std::string extra(const DeviceInfo& d, const char* key) {
    auto it = d.extra.find(key);
    return it == d.extra.end() ? std::string() : it->second;
}

std::string slug(const std::string& text) {
    std::string out;
    for (unsigned char c : text) {
        if (std::isalnum(c)) out += static_cast<char>(std::tolower(c));
        else if (!out.empty() && out.back() != '-') out += '-';
    }
    while (!out.empty() && out.back() == '-') out.pop_back();
    return out.substr(0, 40);
}

std::string cpu_device_name(const std::string& model, int logical_cpus) {
    return model + " (" + std::to_string(logical_cpus) + " CPUs)";
}

std::string number(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.0f", v);
    return buf;
}

}  // namespace

MachineIdentity identity_of(const DeviceInfo& device, const MeasurementSettings& settings) {
    MachineIdentity id;
    id.kind = device.kind;
    id.device = device.name;
    id.cpu_signature = extra(device, "cpu_signature");
    id.hostname = extra(device, "hostname");
    if (id.hostname.empty() && device.host != "local") id.hostname = device.host;
    id.machine_id = extra(device, "machine_id");
    id.kernel = extra(device, "kernel");
    id.blas = device.kind == "cpu" ? device.blas : std::string();
    auto coretype = settings.environment.find("OPENBLAS_CORETYPE");
    if (coretype != settings.environment.end()) id.core_type = coretype->second;
    id.torch_version = device.torch_version;
    id.torch_threads = settings.torch_threads;
    id.blas_threads = settings.blas_threads;
    id.driver = device.driver_version;
    id.clock_mhz = device.sm_clock_mhz;
    id.mem_clock_mhz = device.mem_clock_mhz;
    return id;
}

MachineIdentity this_machine(const std::string& kind) {
    const platform::CpuDescription cpu = platform::describe_cpu();
    MachineIdentity id;
    id.kind = kind.empty() ? "cpu" : kind;
    id.hostname = cpu.hostname;
    id.machine_id = platform::machine_id_hash();
    id.kernel = cpu.kernel;
    id.cpu_signature = platform::cpu_signature();
    if (const char* coretype = std::getenv("OPENBLAS_CORETYPE")) id.core_type = coretype;
    if (id.kind == "cpu") {
        id.device = cpu_device_name(cpu.model, cpu.logical_cpus);
    } else {
        const auto gpus = platform::nvidia_gpu_models();
        if (!gpus.empty()) id.device = gpus.front();
        id.driver = platform::nvidia_driver_version();
    }
    return id;
}

MachineIdentity identity_from_hello(const std::string& hello_json_text, const std::string& kind) {
    MachineIdentity id;
    id.kind = kind.empty() ? "cpu" : kind;
    const nlohmann::json hello = nlohmann::json::parse(hello_json_text, nullptr, false);
    if (!hello.is_object()) return id;
    auto text = [](const nlohmann::json& object, const char* key) {
        auto it = object.find(key);
        return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    const nlohmann::json host = hello.value("host", nlohmann::json::object());
    if (host.is_object()) {
        id.hostname = text(host, "hostname");
        id.kernel = text(host, "kernel");
        id.machine_id = text(host, "machine_id");
        id.cpu_signature = text(host, "cpu_signature");
        if (id.kind == "cpu") id.blas = text(host, "blas");
        id.driver = id.kind == "cpu" ? std::string() : text(host, "gpu_driver");
    }
    id.torch_version = text(hello, "torch");
    const nlohmann::json devices = hello.value("devices", nlohmann::json::array());
    if (devices.is_array())
        for (const auto& d : devices)
            if (d.is_object() && text(d, "kind") == id.kind) {
                if (id.kind == "cpu" && d.contains("sm_count") && d["sm_count"].is_number_integer())
                    id.device = cpu_device_name(text(d, "name"), d["sm_count"].get<int>());
                else
                    id.device = text(d, "name");
                break;
            }
    return id;
}

IdentityComparison compare_identities(const MachineIdentity& a, const MachineIdentity& b) {
    IdentityComparison c;
    auto field = [&](const char* name, const std::string& x, const std::string& y, bool machine) {
        if (x.empty() || y.empty()) {
            if (!x.empty() || !y.empty()) c.unknown.push_back(name);
            else if (machine) c.unknown.push_back(name);
            return;
        }
        if (x == y) return;
        c.differences.push_back({name, x, y});
        if (machine) c.same_machine = false;
    };
    auto count = [&](const char* name, int x, int y) {
        if (x <= 0 || y <= 0) return;
        if (x != y) c.differences.push_back({name, std::to_string(x), std::to_string(y)});
    };
    auto clock = [&](const char* name, double x, double y) {
        if (x <= 0 || y <= 0) return;
        if (std::abs(x / y - 1.0) > 0.10) c.differences.push_back({name, number(x) + " MHz", number(y) + " MHz"});
    };
    if (a.kind != b.kind) {
        c.differences.push_back({"kind", a.kind, b.kind});
        c.same_machine = false;
    }
    field("device", a.device, b.device, true);
    field("host", a.hostname, b.hostname, true);
    field("machine id", a.machine_id, b.machine_id, true);
    field("cpu signature", a.cpu_signature, b.cpu_signature, true);
    field("kernel", a.kernel, b.kernel, false);
    field("blas", a.blas, b.blas, false);
    field("OPENBLAS_CORETYPE", a.core_type, b.core_type, false);
    field("LibTorch", a.torch_version, b.torch_version, false);
    field("driver", a.driver, b.driver, false);
    count("LibTorch threads", a.torch_threads, b.torch_threads);
    count("BLAS threads", a.blas_threads, b.blas_threads);
    clock("clock", a.clock_mhz, b.clock_mhz);
    clock("memory clock", a.mem_clock_mhz, b.mem_clock_mhz);
    // An unknown machine id cannot confirm the host: hosts of one VM class share hostnames.
    for (const auto& u : c.unknown)
        if (u == "machine id") c.same_machine = false;
    return c;
}

std::string describe_differences(const IdentityComparison& c) {
    std::string out;
    for (const auto& d : c.differences) {
        if (!out.empty()) out += "; ";
        out += d.field + " " + d.recorded + " → " + d.here;
    }
    for (const auto& u : c.unknown) {
        if (u != "machine id" && u != "cpu signature") continue;  // the ones that decide the machine
        if (!out.empty()) out += "; ";
        out += u + " not recorded on one side";
    }
    return out;
}

void record_host_facts(DeviceInfo& device) {
    const platform::CpuDescription cpu = platform::describe_cpu();
    device.extra["hostname"] = cpu.hostname;
    device.extra["kernel"] = cpu.kernel;
    if (auto id = platform::machine_id_hash(); !id.empty()) device.extra["machine_id"] = id;
    if (auto signature = platform::cpu_signature(); !signature.empty()) device.extra["cpu_signature"] = signature;
}

bool same_machine(const MachineIdentity& a, const MachineIdentity& b) { return compare_identities(a, b).same_machine; }

std::string machine_key(const MachineIdentity& id) {
    const std::string digest =
        sha256_hex(id.kind + "\n" + id.device + "\n" + id.cpu_signature + "\n" + id.hostname + "\n" + id.machine_id);
    std::string key = slug(id.kind + " " + id.device);
    if (!id.hostname.empty()) key += "-" + slug(id.hostname);
    return key + "-" + digest.substr(0, 8);
}

std::string machine_label(const MachineIdentity& id) {
    std::string label = id.device.empty() ? id.kind : id.device;
    if (!id.hostname.empty()) label += " on " + id.hostname;
    if (!id.machine_id.empty()) label += " (" + id.machine_id.substr(0, 6) + ")";
    return label;
}

}  // namespace tp
