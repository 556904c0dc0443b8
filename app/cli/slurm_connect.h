#pragma once
// The CLI's side of the Slurm transport (docs/cluster.md): a slurm device's login node is looked up
// in the device list, its job gets a unique name, and while the allocation is pending the state and
// Slurm's reason are printed on stderr; Ctrl-C then cancels the job (scancel) instead of leaving it.
#include <atomic>

#include "core/remote/agent_connection.h"

namespace tp::cli {

// Fills options.slurm (login device, job name), the handshake wait (no 90-s limit: an allocation
// may wait for hours; TAILPRUNE_SLURM_WAIT_S sets one) and the pending-state reporter. Nothing for
// other transports. `interrupt`: a flag that cancels a pending allocation besides Ctrl-C.
void prepare_slurm(remote::ConnectOptions& options, const std::atomic<bool>* interrupt = nullptr,
                   const std::string& label = {});

// The same options with a new job name (each connection is its own allocation: a fan-out opens
// several from one entry).
remote::ConnectOptions with_new_slurm_job(const remote::ConnectOptions& options, const std::atomic<bool>* interrupt,
                                          const std::string& label = {});

}  // namespace tp::cli
