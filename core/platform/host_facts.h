#pragma once
// Torch-free facts that tell one machine from another (issue 27): which host, which CPU silicon,
// which NVIDIA driver and GPUs. Read from /etc and /proc, so the studio, `predict` and the agent's
// hello all see the same answers without LibTorch.
#include <string>
#include <vector>

namespace tp::platform {

// sha256("tailprune:" + /etc/machine-id), first 16 hex digits: stable per installation, different
// between hosts that share a hostname (every VM of a class may be called "vm"), and not the raw
// machine id, which systemd asks applications not to publish. Empty when unreadable.
std::string machine_id_hash();

// "family 26 model 2 stepping 0" from /proc/cpuinfo (x86), or "implementer 0x41 part 0xd42" (Arm);
// CPUs that share a marketing name ("AMD EPYC") differ here. Empty when unreadable.
std::string cpu_signature();

// NVIDIA driver version from /proc/driver/nvidia/version ("550.54.15"), empty without the driver.
std::string nvidia_driver_version();
// GPU model names from /proc/driver/nvidia/gpus/*/information ("NVIDIA H100 80GB HBM3").
std::vector<std::string> nvidia_gpu_models();

}  // namespace tp::platform
