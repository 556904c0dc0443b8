#include "core/runtime/dataset_cache.h"

#include <filesystem>
#include <map>
#include <mutex>
#include <utility>

namespace tp::runtime {
namespace {

namespace fs = std::filesystem;

// Sizes and modification times of the split's two files; empty when one cannot be read (then
// nothing is cached and load() names the problem).
std::string stamp(const std::string& dir, const std::string& split) {
    const std::string prefix = dir + "/" + (split == "train" ? "train" : "t10k");
    std::string out;
    for (const char* suffix : {"-images-idx3-ubyte.gz", "-labels-idx1-ubyte.gz"}) {
        std::error_code ec;
        const fs::path p = prefix + suffix;
        const auto size = fs::file_size(p, ec);
        if (ec) return {};
        const auto time = fs::last_write_time(p, ec);
        if (ec) return {};
        out += std::to_string(size) + ":" + std::to_string(time.time_since_epoch().count()) + ";";
    }
    return out;
}

struct Entry {
    std::string stamp;
    std::shared_ptr<const data::FashionMnist> data;
};

}  // namespace

std::shared_ptr<const data::FashionMnist> cached_fashion_mnist(const std::string& dir, const std::string& split) {
    static std::mutex mutex;
    static std::map<std::pair<std::string, std::string>, Entry> cache;
    const std::string now = stamp(dir, split);
    const auto key = std::make_pair(dir, split);
    {
        std::lock_guard<std::mutex> lock(mutex);
        auto it = cache.find(key);
        if (it != cache.end() && !now.empty() && it->second.stamp == now) return it->second.data;
    }
    auto loaded = std::make_shared<const data::FashionMnist>(data::FashionMnist::load(dir, split));
    if (!now.empty()) {
        std::lock_guard<std::mutex> lock(mutex);
        cache[key] = {now, loaded};
    }
    return loaded;
}

}  // namespace tp::runtime
