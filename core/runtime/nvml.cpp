#include "core/runtime/nvml.h"

#include <dlfcn.h>

namespace tp::runtime {

namespace {
using Device = void*;
using Result = int;  // nvmlReturn_t; 0 is NVML_SUCCESS
constexpr int kClockSm = 1;          // NVML_CLOCK_SM
constexpr int kTemperatureGpu = 0;   // NVML_TEMPERATURE_GPU
}  // namespace

// The few entry points used, with NVML's C signatures (nvml.h, stable ABI since CUDA 5).
struct Nvml::Api {
    void* lib = nullptr;
    Device device = nullptr;
    Result (*init)() = nullptr;
    Result (*shutdown)() = nullptr;
    Result (*by_index)(unsigned, Device*) = nullptr;
    Result (*by_pci)(const char*, Device*) = nullptr;
    Result (*clock)(Device, int, unsigned*) = nullptr;
    Result (*default_clock)(Device, int, unsigned*) = nullptr;
    Result (*max_clock)(Device, int, unsigned*) = nullptr;
    Result (*temperature)(Device, int, unsigned*) = nullptr;
    Result (*power)(Device, unsigned*) = nullptr;
    Result (*driver)(char*, unsigned) = nullptr;

    template <typename Fn>
    void bind(Fn& fn, const char* name) {
        fn = reinterpret_cast<Fn>(::dlsym(lib, name));
    }
};

std::unique_ptr<Nvml> Nvml::open(const std::string& pci_bus_id, int index) {
    auto api = std::make_unique<Api>();
    api->lib = ::dlopen("libnvidia-ml.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!api->lib) return nullptr;
    api->bind(api->init, "nvmlInit_v2");
    api->bind(api->shutdown, "nvmlShutdown");
    api->bind(api->by_index, "nvmlDeviceGetHandleByIndex_v2");
    api->bind(api->by_pci, "nvmlDeviceGetHandleByPciBusId_v2");
    api->bind(api->clock, "nvmlDeviceGetClockInfo");
    api->bind(api->default_clock, "nvmlDeviceGetDefaultApplicationsClock");
    api->bind(api->max_clock, "nvmlDeviceGetMaxClockInfo");
    api->bind(api->temperature, "nvmlDeviceGetTemperature");
    api->bind(api->power, "nvmlDeviceGetPowerUsage");
    api->bind(api->driver, "nvmlSystemGetDriverVersion");
    if (!api->init || !api->shutdown || api->init() != 0) {
        ::dlclose(api->lib);
        return nullptr;
    }
    Result r = -1;
    if (!pci_bus_id.empty() && api->by_pci) r = api->by_pci(pci_bus_id.c_str(), &api->device);
    if (r != 0 && api->by_index) r = api->by_index(static_cast<unsigned>(index), &api->device);
    if (r != 0) {
        api->shutdown();
        ::dlclose(api->lib);
        return nullptr;
    }
    return std::unique_ptr<Nvml>(new Nvml(std::move(api)));
}

Nvml::Nvml(std::unique_ptr<Api> api) : api_(std::move(api)) {}

Nvml::~Nvml() {
    api_->shutdown();
    ::dlclose(api_->lib);
}

std::optional<double> Nvml::sm_clock_mhz() const {
    unsigned v = 0;
    if (api_->clock && api_->clock(api_->device, kClockSm, &v) == 0) return v;
    return std::nullopt;
}

std::optional<double> Nvml::default_sm_clock_mhz() const {
    unsigned v = 0;
    if (api_->default_clock && api_->default_clock(api_->device, kClockSm, &v) == 0 && v > 0) return v;
    if (api_->max_clock && api_->max_clock(api_->device, kClockSm, &v) == 0 && v > 0) return v;
    return std::nullopt;
}

std::optional<double> Nvml::temperature_c() const {
    unsigned v = 0;
    if (api_->temperature && api_->temperature(api_->device, kTemperatureGpu, &v) == 0) return v;
    return std::nullopt;
}

std::optional<double> Nvml::power_w() const {
    unsigned mw = 0;
    if (api_->power && api_->power(api_->device, &mw) == 0) return mw / 1000.0;
    return std::nullopt;
}

std::string Nvml::driver_version() const {
    char buf[96] = {};
    if (api_->driver && api_->driver(buf, sizeof buf) == 0) return buf;
    return "";
}

}  // namespace tp::runtime
