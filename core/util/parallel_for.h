#pragma once
// fn(0) … fn(count − 1) spread over the CPUs (std::thread, strided: item k on worker k mod
// workers); returns when all are done. For independent items that write only their own result.
#include <algorithm>
#include <cstddef>
#include <thread>
#include <vector>

namespace tp {

template <typename Fn>
void parallel_for(std::size_t count, Fn&& fn) {
    const std::size_t workers = std::min<std::size_t>(count, std::max(1u, std::thread::hardware_concurrency()));
    std::vector<std::thread> pool;
    for (std::size_t w = 1; w < workers; ++w)
        pool.emplace_back([&, w] {
            for (std::size_t k = w; k < count; k += workers) fn(k);
        });
    for (std::size_t k = 0; k < count; k += std::max<std::size_t>(workers, 1)) fn(k);
    for (auto& t : pool) t.join();
}

}  // namespace tp
