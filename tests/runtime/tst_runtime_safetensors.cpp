// The safetensors reader: every malformed header gives one FormatError naming the problem and the
// tensor; loading checks names and shapes against the model (through the facade).
#include <cstring>
#include <filesystem>

#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

#include "core/util/format_error.h"
#include "core/formats/safetensors.h"
#include "core/runtime/vit_runner.h"

using namespace tp::runtime;

namespace {

std::vector<char> file_bytes(const std::string& header, size_t data_bytes) {
    std::vector<char> out(8);
    uint64_t n = header.size();
    for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((n >> (8 * i)) & 0xff);
    out.insert(out.end(), header.begin(), header.end());
    out.resize(out.size() + data_bytes, 0);
    return out;
}

std::string parity_weights() { return std::string(TAILPRUNE_TESTDATA_DIR) + "/parity/tiny_vit.safetensors"; }

}  // namespace

class TstRuntimeSafetensors : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void rejects_bad_files_data() {
        QTest::addColumn<QByteArray>("header");
        QTest::addColumn<int>("dataBytes");
        QTest::addColumn<int>("truncateTo");   // -1: keep
        QTest::addColumn<QString>("expected");  // substring of the error
        QTest::newRow("shorter than the length field") << QByteArray("{}") << 0 << 5 << "no 8-byte header length";
        QTest::newRow("header length past the end") << QByteArray(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})")
                                                     << 4 << 20 << "truncated: header length";
        QTest::newRow("not JSON") << QByteArray("{\"a\": [") << 0 << -1 << "header is not valid JSON";
        QTest::newRow("offsets out of range") << QByteArray(R"({"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}})")
                                              << 8 << -1 << "tensor 'w': data_offsets [0, 16] are out of range";
        QTest::newRow("offsets reversed") << QByteArray(R"({"w":{"dtype":"F32","shape":[0],"data_offsets":[8,4]}})")
                                          << 8 << -1 << "tensor 'w': data_offsets [8, 4] end before they begin";
        QTest::newRow("overlapping tensors")
            << QByteArray(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})")
            << 12 << -1 << "tensor 'b'" ;
        QTest::newRow("shape does not fit the bytes") << QByteArray(R"({"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})")
                                                       << 8 << -1 << "tensor 'w': shape [3] F32 needs 12 bytes but data_offsets span 8";
        QTest::newRow("unsupported dtype") << QByteArray(R"({"w":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}})")
                                           << 8 << -1 << "tensor 'w': unsupported dtype 'I64'";
        QTest::newRow("negative dimension") << QByteArray(R"({"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}})")
                                            << 4 << -1 << "tensor 'w': shape has a non-integer or negative dimension";
        QTest::newRow("missing offsets") << QByteArray(R"({"w":{"dtype":"F32","shape":[1]}})") << 4 << -1
                                         << "tensor 'w': 'data_offsets' must be [begin, end]";
        QTest::newRow("file truncated inside the data")
            << QByteArray(R"({"w":{"dtype":"F16","shape":[8],"data_offsets":[0,16]}})") << 16 << 8 + 56 + 10
            << "tensor 'w': data_offsets [0, 16] are out of range";
    }
    void rejects_bad_files() {
        QFETCH(QByteArray, header);
        QFETCH(int, dataBytes);
        QFETCH(int, truncateTo);
        QFETCH(QString, expected);
        auto bytes = file_bytes(header.toStdString(), static_cast<size_t>(dataBytes));
        if (truncateTo >= 0) bytes.resize(static_cast<size_t>(truncateTo));
        try {
            tp::formats::SafetensorsFile::parse(bytes, "test.safetensors");
            QFAIL("no error");
        } catch (const tp::FormatError& e) {
            QVERIFY2(QString::fromStdString(e.what()).contains(expected), e.what());
            QVERIFY2(QString::fromStdString(e.what()).startsWith("test.safetensors"), e.what());
        }
    }

    void round_trip_keeps_values_and_dtypes() {
        QTemporaryDir dir;
        const std::string path = dir.filePath("x.safetensors").toStdString();
        const float f32[3] = {1.5f, -2.0f, 3.25f};
        const uint16_t f16[2] = {0x3c00, 0xc000};  // 1.0, -2.0
        tp::formats::write_safetensors(path, {{"a.weight", tp::formats::TensorDtype::F32, {3}, f32}, {"b", tp::formats::TensorDtype::F16, {1, 2}, f16}},
                          {{"producer", "test"}});
        auto file = tp::formats::SafetensorsFile::read(path);
        QCOMPARE(file.tensors().size(), size_t(2));
        QCOMPARE(file.metadata().at("producer"), std::string("test"));
        const auto& a = file.entry("a.weight");
        QCOMPARE(a.shape, std::vector<int64_t>({3}));
        float back[3];
        std::memcpy(back, file.data(a), sizeof back);
        QCOMPARE(back[2], 3.25f);
        QCOMPARE(file.entry("b").dtype, tp::formats::TensorDtype::F16);
    }

    // Weights against the model built from the card: each problem names the tensor.
    void load_checks_names_and_shapes_data() {
        QTest::addColumn<QString>("drop");      // tensor removed
        QTest::addColumn<QString>("add");       // tensor added
        QTest::addColumn<QString>("reshape");   // tensor given a wrong shape
        QTest::addColumn<QString>("expected");
        QTest::newRow("missing") << "blocks.1.mlp.fc2.bias" << "" << "" << "tensor 'blocks.1.mlp.fc2.bias': missing";
        QTest::newRow("unexpected") << "" << "blocks.2.norm1.weight" << "" << "tensor 'blocks.2.norm1.weight': unexpected";
        QTest::newRow("wrong shape") << "" << "" << "head.weight" << "tensor 'head.weight': has shape [120] but the model card";
    }
    void load_checks_names_and_shapes() {
        QFETCH(QString, drop);
        QFETCH(QString, add);
        QFETCH(QString, reshape);
        QFETCH(QString, expected);
        auto source = tp::formats::SafetensorsFile::read(parity_weights());
        std::vector<tp::formats::TensorToWrite> out;
        std::vector<float> extra(24, 1.0f);
        for (const auto& [name, e] : source.tensors()) {
            if (name == drop.toStdString()) continue;
            auto shape = e.shape;
            if (name == reshape.toStdString()) shape = {e.numel()};
            out.push_back({name, e.dtype, shape, source.data(e)});
        }
        if (!add.isEmpty()) out.push_back({add.toStdString(), tp::formats::TensorDtype::F32, {24}, extra.data()});
        QTemporaryDir dir;
        const std::string weights = dir.filePath("tiny_vit.safetensors").toStdString();
        tp::formats::write_safetensors(weights, out);
        std::filesystem::copy_file(std::string(TAILPRUNE_TESTDATA_DIR) + "/parity/tiny_vit.card.json",
                                   dir.filePath("tiny_vit.card.json").toStdString());
        try {
            describe_model(weights);
            QFAIL("no error");
        } catch (const tp::FormatError& e) {
            QVERIFY2(QString::fromStdString(e.what()).contains(expected), e.what());
        }
    }

    void intact_fixture_loads() {
        auto info = describe_model(parity_weights());
        QVERIFY(info.has_card);
        QCOMPARE(info.card.architecture.depth, 2);
        QCOMPARE(info.card.architecture.heads, 3);
        QVERIFY(info.parameters > 10000);
    }
};

QTEST_GUILESS_MAIN(TstRuntimeSafetensors)
#include "tst_runtime_safetensors.moc"
