#pragma once
// Realistic latency profiles built in code for the editor's tests and bench: GPU-like staircases
// (tile quantisation: a step every `tile` tokens, a slope for attention, seeded measurement noise
// with p10/p90 bands) and a CPU-like curve (linear with an n mod 4 pattern), for a deit_small-shaped
// model (12 blocks, 197 tokens), with the curves the editor and the predictor read: model, block:B,
// deployed:K, fixed:embed, fixed:head.
#include <memory>
#include <string>
#include <vector>

#include "core/model/profile.h"
#include "tests/model_fixtures.h"  // deit_small_model()

namespace tp::test {

struct DeviceShape {
    std::string name;
    std::string kind = "cuda";
    int sm_count = 16;
    int tile = 32;                 // a block's latency steps up after every `tile` tokens (0: no steps)
    double block_base_ms = 0.2;    // per block, at 0 tokens
    double step_ms = 0.05;         // per block, per tile
    double slope_ms = 0.0002;      // per block, per token (attention grows with n)
    double noise_rel = 0.002;      // relative sd of the measured median
    int period = 0;                // CPU: latency depends on n mod period
    std::vector<double> residue_pct;  // effect of each residue, % of the trend
    unsigned seed = 1;
};

// The device shapes used by tests and the bench: [0] a 16-SM GPU with 32-token tiles, [1] a
// 132-SM GPU with 16-token tiles, [2] an 8-SM edge GPU with 64-token tiles, [3] a 2-core CPU with an
// n mod 4 pattern, [4] a 46-SM GPU with 48-token tiles.
std::vector<DeviceShape> device_shapes();
// A validated profile; `deployed_blocks` lists the cuts that get a deployed:K curve (others fall
// back to the model curve).
Profile synthetic_profile(const DeviceShape& device, const ModelInfo& model, const std::vector<int>& deployed_blocks);
std::vector<std::shared_ptr<const Profile>> five_device_profiles();

// The block latency model behind a shape (noise-free), for expectations computed independently of
// the step detector: the first token count of the level holding n.
int level_first_tokens(const DeviceShape& device, int tokens);

}  // namespace tp::test
