// Weights without a card whose tensors have zero-size (or contradicting) dimensions: inferring the
// architecture divided by zero (issue #28). Now one error naming the file and the tensor.
#include <QTemporaryDir>
#include <QtTest>

#include "core/formats/safetensors.h"
#include "core/runtime/vit_runner.h"
#include "core/util/format_error.h"

using tp::formats::TensorDtype;

class TstHardeningWeights : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void inferredArchitectureIsChecked_data() {
        QTest::addColumn<QList<qlonglong>>("proj");  // patch_embed.proj.weight (dim, channels, patch, patch)
        QTest::addColumn<QList<qlonglong>>("pos");   // pos_embed (1, tokens, dim)
        QTest::addColumn<QString>("expected");
        QTest::newRow("zero width") << QList<qlonglong>{0, 1, 4, 4} << QList<qlonglong>{1, 50, 0} << "zero-size";
        QTest::newRow("no patch positions") << QList<qlonglong>{8, 1, 4, 4} << QList<qlonglong>{1, 1, 8} << "no patch";
        QTest::newRow("zero patch") << QList<qlonglong>{8, 1, 0, 0} << QList<qlonglong>{1, 50, 8} << "zero-size";
    }
    void inferredArchitectureIsChecked() {
        QFETCH(QList<qlonglong>, proj);
        QFETCH(QList<qlonglong>, pos);
        QFETCH(QString, expected);
        auto numel = [](const std::vector<int64_t>& s) {
            int64_t n = 1;
            for (auto d : s) n *= d;
            return n;
        };
        const std::vector<int64_t> proj_shape(proj.begin(), proj.end()), pos_shape(pos.begin(), pos.end());
        const std::vector<int64_t> head_shape{10, 8}, fc1_shape{16, 8};
        std::vector<float> zeros(static_cast<size_t>(std::max({numel(proj_shape), numel(pos_shape), int64_t{160}})), 0.f);
        QTemporaryDir dir;
        const std::string path = dir.filePath("nocard.safetensors").toStdString();  // no card beside it
        tp::formats::write_safetensors(path, {{"patch_embed.proj.weight", TensorDtype::F32, proj_shape, zeros.data()},
                                              {"pos_embed", TensorDtype::F32, pos_shape, zeros.data()},
                                              {"head.weight", TensorDtype::F32, head_shape, zeros.data()},
                                              {"blocks.0.mlp.fc1.weight", TensorDtype::F32, fc1_shape, zeros.data()}});
        try {
            tp::runtime::describe_model(path);
            QFAIL("weights with a zero-size dimension were accepted");
        } catch (const tp::FormatError& e) {
            QVERIFY2(QString(e.what()).contains(expected), e.what());
            QVERIFY2(QString(e.what()).contains("nocard.safetensors"), e.what());
        }
    }
};

QTEST_GUILESS_MAIN(TstHardeningWeights)
#include "tst_hardening_weights.moc"
