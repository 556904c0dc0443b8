#pragma once
// Torch-free: NVIDIA's management library loaded at run time (dlopen "libnvidia-ml.so.1"); no
// NVML headers exist on Debian and a machine without the driver must still run, so absence is
// normal and every reading is optional.
#include <memory>
#include <optional>
#include <string>

namespace tp::runtime {

class Nvml {
public:
    // Opens NVML and the device with this PCI bus id ("0000:3b:00.0", as cudaDeviceGetPCIBusId
    // gives it) or, if empty, this index. Returns nullptr when NVML or the device is unavailable.
    static std::unique_ptr<Nvml> open(const std::string& pci_bus_id, int index);
    ~Nvml();

    std::optional<double> sm_clock_mhz() const;       // current SM clock
    std::optional<double> default_sm_clock_mhz() const;  // default applications clock, else max
    std::optional<double> temperature_c() const;
    std::optional<double> power_w() const;
    std::string driver_version() const;

private:
    struct Api;
    explicit Nvml(std::unique_ptr<Api> api);
    std::unique_ptr<Api> api_;
};

}  // namespace tp::runtime
