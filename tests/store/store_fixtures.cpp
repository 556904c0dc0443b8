#include "store_fixtures.h"

#include <cmath>
#include <fstream>
#include <random>
#include <sstream>

#include "core/util/sha256.h"
#include "tests/model_fixtures.h"

namespace tp::store_test {

ModelInfo vit_model() {
    ModelInfo m = test::deit_tiny_model();
    m.name = "deit_tiny_synthetic";
    m.weights_hash = "abc123";
    return m;
}

DeviceInfo cpu_device() {
    DeviceInfo d;
    d.name = "cpu-2core-test";
    d.kind = "cpu";
    d.host = "local";
    d.sm_count = 2;
    d.memory_gb = 8;
    d.sm_clock_mhz = 2100.5;
    d.torch_version = "1.13.1";
    d.blas = "openblas-pthread";
    return d;
}

Profile synthetic_profile(const ProfileShape& shape) {
    std::mt19937 rng(static_cast<unsigned>(shape.seed));
    std::normal_distribution<double> noise(0.0, 0.002);
    Profile p;
    p.id = "synthetic-" + std::to_string(shape.seed);
    p.device = cpu_device();
    p.device.torch_version = shape.torch;
    p.model = vit_model();
    p.settings.date = shape.date;
    p.settings.who = "tester";
    p.settings.tool_version = "0.1.0";
    p.notes = "seed " + std::to_string(shape.seed);
    if (shape.optionals) {
        p.device.extra["governor"] = "performance";
        p.settings.environment["OPENBLAS_CORETYPE"] = "Haswell";
    }
    for (int c = 0; c < shape.curves; ++c) {
        Curve curve;
        curve.scope.kind = c == 0 ? ScopeKind::Model : ScopeKind::Block;
        curve.scope.block = c == 0 ? -1 : (c - 1) % p.model.depth;
        curve.name = c == 0 ? "model" : "block:" + std::to_string(curve.scope.block) + "#" + std::to_string(c);
        curve.partial = shape.optionals && c == shape.curves - 1;
        int step = std::max(1, (p.model.tokens - 1) / std::max(1, shape.points));
        for (int i = 0; i < shape.points; ++i) {
            CurvePoint pt;
            pt.tokens = 1 + i * step;
            if (pt.tokens > p.model.tokens) break;
            double level = (pt.tokens >= shape.edge_tokens ? 2.0 : 1.0) * (1 + 0.1 * c);
            pt.median_ms = level + std::abs(noise(rng)) + 0.001 * shape.seed;
            pt.p10_ms = pt.median_ms * 0.99;
            pt.p90_ms = pt.median_ms * 1.01;
            pt.mean_ms = pt.median_ms * 1.001;
            pt.min_ms = pt.p10_ms * 0.999;
            pt.samples = 10 + i % 7;
            pt.rel_noise = 0.004 + 0.0001 * i;
            pt.stop_reason = "noise";
            if (shape.optionals) {
                for (int k = 0; k < 5; ++k) pt.raw_ms.push_back(pt.median_ms + noise(rng));
                pt.discarded = i % 3;
                pt.cpu_mhz = 2100.0 + i;
                if (i % 2) pt.temperature_c = 45.25 + i;
            }
            if (shape.board) {
                pt.gpu_mhz = i % 5 == 4 ? 905.25 : 1300.5;  // one point in five ran below the lock
                pt.gpu_min_mhz = 1300.5;
                pt.gpu_max_mhz = 1300.5;
                if (i % 3) pt.gpu_load = 97.5 - i % 4;
                pt.hottest_c = 60.5 + 0.25 * i;
                if (i % 5 == 4) pt.over_trip = "gpu-thermal 101.0 C >= trip 99.0 C";
            }
            curve.points.push_back(pt);
        }
        p.curves.push_back(std::move(curve));
    }
    if (shape.board) {
        p.clock_flags.push_back({"throttled", "a thermal zone reached its trip point at 8 points"});
        p.clock_flags.push_back({"clock_changed", "the GPU clock moved from 1300.5 to 905.25 MHz during the sweep"});
    }
    if (shape.optionals) {
        p.census.push_back({"model", 100, {{"gemm_64x64", 12, 256, 3.5}, {"softmax", 4, 128, 0.75}}});
        p.census.push_back({"model", 99, {}});
    }
    return p;
}

Schedule synthetic_schedule(const std::string& name, int cut_block, int kept_tokens) {
    Schedule s;
    s.name = name;
    s.model = vit_model();
    s.device = cpu_device();
    s.method = "pomt";
    s.parameters["alpha"] = 0.5;
    s.author = "tester";
    s.notes = "cut after block " + std::to_string(cut_block);
    for (int b = 0; b < s.model.depth; ++b) s.tokens_after_block.push_back(b < cut_block ? s.model.tokens : kept_tokens);
    s.predicted_latency = LatencyPrediction{12.5, 12.0, 13.25};
    return s;
}

std::string file_digest(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return "";
    std::ostringstream bytes;
    bytes << in.rdbuf();
    return sha256_hex(bytes.str());
}

}  // namespace tp::store_test
