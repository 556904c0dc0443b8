// Every method's reduce() captured in a CUDA graph and replayed on new inputs gives what eager
// mode gives: static shapes, no host synchronisation. Skips without a CUDA device.
#include <QtTest>

#include "core/model/method_rules.h"
#include "core/runtime/pruning/reducer_factory.h"
#include "pruning_fixtures.h"

#ifdef TAILPRUNE_HAS_CUDA
#include <ATen/cuda/CUDAGraph.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>
#endif

using namespace tp;
using namespace tp::runtime;
using namespace tp::test;

class TestPruningCudaGraph : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void replay_matches_eager_data();
    void replay_matches_eager();
};

void TestPruningCudaGraph::replay_matches_eager_data() {
    QTest::addColumn<QString>("method");
    QTest::addColumn<int>("tokens_out");
    for (const auto& m : all_methods())
        for (int out : {40, 33, 2})
            if (out >= min_tokens_after_pruning(m, 65))
                QTest::newRow((m + "_65_to_" + std::to_string(out)).c_str()) << QString::fromStdString(m) << out;
}

void TestPruningCudaGraph::replay_matches_eager() {
    QFETCH(QString, method);
    QFETCH(int, tokens_out);
#ifndef TAILPRUNE_HAS_CUDA
    QSKIP("no CUDA device: this build's LibTorch has no CUDA support");
#else
    if (!torch::cuda::is_available()) QSKIP("no CUDA device: torch::cuda::is_available() is false");
    const torch::Device cuda(torch::kCUDA);
    auto reducer = make_reducer(method.toStdString(), {}, 12);
    // Static input buffers the graph reads; refilled before each replay.
    BlockState staged = random_block(4, 65, 1, 3, 48, 16, cuda);
    auto stream = c10::cuda::getStreamFromPool();
    c10::cuda::CUDAStreamGuard guard(stream);
    {
        BlockState warm = copy_of(staged);  // fills caches (random's positions) before capture
        reducer->reduce(warm, tokens_out);
    }
    stream.synchronize();
    at::cuda::CUDAGraph graph;
    BlockState captured = staged;  // same input tensors; reduce() replaces x (and size)
    graph.capture_begin();
    reducer->reduce(captured, tokens_out);
    graph.capture_end();

    for (std::uint64_t seed : {2u, 3u}) {
        const BlockState fresh = random_block(4, 65, seed, 3, 48, 16, cuda);
        staged.x.copy_(fresh.x);
        staged.attention.copy_(fresh.attention);
        staged.keys.copy_(fresh.keys);
        staged.values.copy_(fresh.values);
        graph.replay();
        BlockState eager = copy_of(fresh);
        reducer->reduce(eager, tokens_out);
        stream.synchronize();
        QCOMPARE(captured.x.sizes().vec(), eager.x.sizes().vec());
        QVERIFY2(torch::allclose(captured.x, eager.x, 1e-4, 1e-5), qPrintable(method + " replay differs from eager"));
    }
#endif
}

QTEST_GUILESS_MAIN(TestPruningCudaGraph)
#include "tst_pruning_cuda_graph.moc"
