// The C++ forward against PyTorch: two committed fixtures must match within 1e-4 in fp32:
// tests/data/parity (scripts/make_parity_fixture.py, an independent re-implementation of timm's
// semantics run with Debian's python3-torch) and tests/data/parity-timm (timm 1.0's own
// VisionTransformer and safetensors file, made on the GPU machine by scripts/gpu/).
// Also checks the pieces the profiler and the pruning methods use agree with the whole forward.
#include <QtTest>

#include <torch/torch.h>

#include "core/util/format_error.h"
#include "core/formats/model_card.h"
#include "core/formats/safetensors.h"
#include "core/runtime/vit.h"
#include "core/formats/vit_config.h"
#include "core/runtime/vit_weights.h"

using namespace tp::runtime;

namespace {

const std::string kDir = std::string(TAILPRUNE_TESTDATA_DIR) + "/parity/";
const std::string kTimmDir = std::string(TAILPRUNE_TESTDATA_DIR) + "/parity-timm/";

torch::Tensor read_tensor(const tp::formats::SafetensorsFile& file, const std::string& name) {
    const auto& e = file.entry(name);
    auto t = torch::empty(e.shape, torch::kFloat32);
    std::memcpy(t.data_ptr(), file.data(e), e.end - e.begin);
    return t;
}

VisionTransformer fixture_model(const std::string& dir = kDir) {
    const auto card = tp::formats::read_model_card(dir + "tiny_vit.card.json");
    VisionTransformer model(card.architecture);
    load_weights(model, tp::formats::SafetensorsFile::read(dir + "tiny_vit.safetensors"));
    model->eval();
    return model;
}

double max_diff(const torch::Tensor& a, const torch::Tensor& b) {
    return (a.to(torch::kFloat32) - b.to(torch::kFloat32)).abs().max().item<double>();
}

// Keeps every token except the last `drop` ones: enough to see that the hook is called and its
// result used, independent of the pruning engineer's methods.
struct DropLast : TokenReducer {
    std::string name() const override { return "drop_last"; }
    BlockNeeds needs(int) const override { return {true, true, false}; }
    void reduce(BlockState& s, int tokens_out) override {
        calls++;
        saw_attention = s.attention.defined() && s.attention.size(-1) == s.x.size(1);
        saw_keys = s.keys.defined();
        s.x = s.x.narrow(1, 0, tokens_out);
    }
    int calls = 0;
    bool saw_attention = false, saw_keys = false;
};

}  // namespace

class TstRuntimeParity : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { torch::set_num_threads(1); }

    void matches_pytorch_data() {
        QTest::addColumn<QString>("dir");
        QTest::addColumn<QString>("reference");
        QTest::addColumn<int>("tokens");  // 0: unpruned
        for (const auto& [label, dir] : {std::pair{"own reference", kDir}, std::pair{"timm", kTimmDir}}) {
            QTest::addRow("%s: logits", label) << QString::fromStdString(dir) << "logits" << 0;
            QTest::addRow("%s: input pruned to the first 6 tokens", label)
                << QString::fromStdString(dir) << "logits_keep_first" << 6;
        }
    }
    void matches_pytorch() {
        QFETCH(QString, dir);
        QFETCH(QString, reference);
        QFETCH(int, tokens);
        c10::InferenceMode guard;
        auto model = fixture_model(dir.toStdString());
        const auto ref = tp::formats::SafetensorsFile::read(dir.toStdString() + "reference.safetensors");
        const auto images = read_tensor(ref, "images");
        const auto expected = read_tensor(ref, reference.toStdString());
        const auto got = tokens ? model->forward_at(images, tokens) : model->forward(images);
        QCOMPARE(got.sizes(), expected.sizes());
        QVERIFY2(max_diff(got, expected) < 1e-4, qPrintable(QString::number(max_diff(got, expected))));
    }

    void attention_probabilities_match_pytorch() {
        c10::InferenceMode guard;
        auto model = fixture_model();
        const auto ref = tp::formats::SafetensorsFile::read(kDir + "reference.safetensors");
        AttentionExtras extras;
        BlockNeeds needs;
        needs.attention = needs.keys = needs.values = true;
        model->attention_half(0, model->embed(read_tensor(ref, "images")), needs, &extras);
        const auto expected = read_tensor(ref, "block0_attention");
        QVERIFY2(max_diff(extras.attention, expected) < 1e-5, qPrintable(QString::number(max_diff(extras.attention, expected))));
        QCOMPARE(extras.keys.sizes(), (std::vector<int64_t>{2, 3, 10, 8}));
        QCOMPARE(extras.values.sizes(), extras.keys.sizes());
    }

    // block(k) == mlp_half(attention_half) and embed/head around them give forward().
    void pieces_compose_to_the_forward() {
        c10::InferenceMode guard;
        auto model = fixture_model();
        const auto images = torch::randn({3, 3, 12, 12});
        auto x = model->embed(images);
        for (int k = 0; k < model->depth(); ++k) x = model->mlp_half(k, model->attention_half(k, x));
        QVERIFY(max_diff(model->head_forward(x), model->forward(images)) < 1e-6);
    }

    void unpruned_schedule_equals_forward_and_hook_runs_when_pruning() {
        c10::InferenceMode guard;
        auto model = fixture_model();
        const auto images = torch::randn({2, 3, 12, 12});
        DropLast reducer;
        auto same = model->forward(images, {10, 10}, &reducer);
        QCOMPARE(reducer.calls, 0);
        QVERIFY(max_diff(same, model->forward(images)) < 1e-6);
        auto pruned = model->forward(images, {7, 4}, &reducer);
        QCOMPARE(reducer.calls, 2);
        QVERIFY(reducer.saw_attention);
        QVERIFY(reducer.saw_keys);
        // Hand-computed: block 0 at 10 tokens, keep 7, MLP, block 1 at 7, keep 4, MLP.
        auto x = model->attention_half(0, model->embed(images)).narrow(1, 0, 7);
        x = model->attention_half(1, model->mlp_half(0, x)).narrow(1, 0, 4);
        QVERIFY(max_diff(pruned, model->head_forward(model->mlp_half(1, x))) < 1e-6);
    }

    void bad_schedules_are_errors_data() {
        QTest::addColumn<std::vector<int>>("tokens");
        QTest::addColumn<bool>("withReducer");
        QTest::addColumn<QString>("expected");
        QTest::newRow("wrong depth") << std::vector<int>{10} << true << "has 1 blocks, the model has 2";
        QTest::newRow("growing") << std::vector<int>{8, 9} << true << "9 tokens after a block entered with 8";
        QTest::newRow("prunes without a method") << std::vector<int>{8, 8} << false << "no method was given";
    }
    void bad_schedules_are_errors() {
        QFETCH(std::vector<int>, tokens);
        QFETCH(bool, withReducer);
        QFETCH(QString, expected);
        auto model = fixture_model();
        DropLast reducer;
        try {
            model->forward(torch::randn({1, 3, 12, 12}), tokens, withReducer ? &reducer : nullptr);
            QFAIL("no error");
        } catch (const tp::FormatError& e) {
            QVERIFY2(QString(e.what()).contains(expected), e.what());
        }
    }

    void random_input_pruning_is_seeded_and_sorted() {
        const auto a = kept_patch_indices(196, 50, true, 7);
        QCOMPARE(a, kept_patch_indices(196, 50, true, 7));
        QVERIFY(a != kept_patch_indices(196, 50, true, 8));
        QCOMPARE(a.size(), size_t(49));
        QVERIFY(std::is_sorted(a.begin(), a.end()));
        QCOMPARE(kept_patch_indices(196, 4, false, {}), (std::vector<int64_t>{0, 1, 2}));
    }

    void presets_have_timm_shapes_data() {
        QTest::addColumn<QString>("preset");
        QTest::addColumn<long long>("parameters");  // timm's counts
        QTest::newRow("deit_tiny") << "deit_tiny_patch16_224" << 5717416LL;
        QTest::newRow("deit_small") << "deit_small_patch16_224" << 22050664LL;
    }
    void presets_have_timm_shapes() {
        QFETCH(QString, preset);
        QFETCH(long long, parameters);
        VisionTransformer model(tp::formats::vit_preset(preset.toStdString()));
        long long n = 0;
        for (const auto& p : model->parameters()) n += p.numel();
        QCOMPARE(n, parameters);
        QCOMPARE(model->tokens(), 197);
        c10::InferenceMode guard;
        QCOMPARE(model->forward_at(torch::randn({1, 3, 224, 224}), 20).sizes(), (std::vector<int64_t>{1, 1000}));
    }

    void half_precision_on_cuda_matches_fp32_data() {
        QTest::addColumn<QString>("dtype");
        QTest::newRow("fp16") << "fp16";
        QTest::newRow("bf16") << "bf16";
    }
    void half_precision_on_cuda_matches_fp32() {
        QFETCH(QString, dtype);
        if (!torch::cuda::is_available()) QSKIP("no CUDA device: fp16/bf16 run only on CUDA");
        c10::InferenceMode guard;
        auto model = fixture_model();
        const auto ref = tp::formats::SafetensorsFile::read(kDir + "reference.safetensors");
        const auto type = dtype == "fp16" ? torch::kFloat16 : torch::kBFloat16;
        model->to(torch::kCUDA, type);
        const auto got = model->forward(read_tensor(ref, "images").to(torch::kCUDA, type)).cpu();
        const double tol = dtype == "fp16" ? 2e-2 : 1e-1;
        QVERIFY2(max_diff(got, read_tensor(ref, "logits")) < tol, qPrintable(QString::number(max_diff(got, read_tensor(ref, "logits")))));
    }
};

QTEST_GUILESS_MAIN(TstRuntimeParity)
#include "tst_runtime_parity.moc"
