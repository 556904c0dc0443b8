#pragma once
// Which machine (and machine state) a latency was measured on, and what differs between two of them
// (issue 27). A profile predicts well only on the machine it was measured on: the same CPU model on
// another host, another BLAS core type, a LibTorch upgrade or other thread counts move every term.
//
//   MachineIdentity profile_side = identity_of(profile.device, profile.settings);
//   MachineIdentity here = this_machine(profile.device.kind);
//   IdentityComparison c = compare_identities(profile_side, here);
//   if (!c.same_machine()) warn(describe(c));        // "host: vm (3d12…) → vm (9a0f…); kernel: …"
//
// Identity is what the recording side wrote (DeviceInfo, MeasurementSettings); a field one side
// did not record is never a difference, it is listed in `unknown` instead.
#include <string>
#include <vector>

#include "core/model/device.h"

namespace tp {

struct MachineIdentity {
    std::string kind;            // cpu | cuda
    std::string device;          // CPU or GPU model as recorded, e.g. "AMD EPYC (2 CPUs)", "NVIDIA H100 80GB HBM3"
    std::string cpu_signature;   // "family 26 model 2 stepping 0"
    std::string hostname;
    std::string machine_id;      // platform::machine_id_hash()
    std::string kernel;
    std::string blas;            // BLAS build and the core type it runs (OpenBLAS names it)
    std::string core_type;       // OPENBLAS_CORETYPE when set
    std::string torch_version;
    int torch_threads = 0;       // 0: not recorded
    int blas_threads = 0;
    std::string driver;          // GPU driver
    double clock_mhz = 0;        // nominal SM or CPU clock, 0: not recorded
    double mem_clock_mhz = 0;
};

// From what a profile, measurement or calibration record stores.
MachineIdentity identity_of(const DeviceInfo& device, const MeasurementSettings& settings);
// The facts of the machine this process runs on that need no LibTorch: host, CPU model and
// signature, kernel, OPENBLAS_CORETYPE, and for kind "cuda" the driver and GPU model. Versions
// and threads stay unknown (0/empty) unless the caller fills them.
MachineIdentity this_machine(const std::string& kind);
// From an agent's hello result (docs/agent-protocol.md, "host" and "devices").
MachineIdentity identity_from_hello(const std::string& hello_json_text, const std::string& kind);

struct IdentityDifference {
    std::string field;     // "host", "cpu", "blas", ...
    std::string recorded;  // the first argument's value
    std::string here;      // the second's
};

struct IdentityComparison {
    std::vector<IdentityDifference> differences;
    std::vector<std::string> unknown;  // fields one side did not record
    // Same host and silicon (host, machine id, device, signature where both know them); other
    // differences (versions, threads, clocks) change the state, not the machine.
    bool same_machine = true;
    bool same_state() const { return differences.empty(); }
};

// Clocks count only when they differ by more than 10%.
IdentityComparison compare_identities(const MachineIdentity& recorded, const MachineIdentity& here);

// "host vm (3d12…) → vm (9a0f…); LibTorch 1.13.0 → 2.1.0" — every difference, in words.
std::string describe_differences(const IdentityComparison& comparison);

// Identity keys that decide which machine a record belongs to: equal for the same host and
// silicon. File-name safe: "cpu-amd-epyc-2-cpus-vm-1a2b3c4d".
std::string machine_key(const MachineIdentity& identity);
bool same_machine(const MachineIdentity& a, const MachineIdentity& b);

// Adds what identifies this host to a DeviceInfo being recorded (extra: hostname, kernel,
// machine_id, cpu_signature), so later comparisons can tell hosts of one class apart.
void record_host_facts(DeviceInfo& device);

// A short human label: "AMD EPYC (2 CPUs) on vm".
std::string machine_label(const MachineIdentity& identity);

}  // namespace tp
