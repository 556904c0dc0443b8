// The model card: round trip, strict reading, and a card that contradicts its tensors.
#include <filesystem>
#include <fstream>

#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

#include "core/util/format_error.h"
#include "core/formats/model_card.h"
#include "core/runtime/vit_runner.h"

using namespace tp::runtime;

namespace {

const std::string kFixtureCard = std::string(TAILPRUNE_TESTDATA_DIR) + "/parity/tiny_vit.card.json";
const std::string kFixtureWeights = std::string(TAILPRUNE_TESTDATA_DIR) + "/parity/tiny_vit.safetensors";

nlohmann::json fixture_card() {
    std::ifstream in(kFixtureCard);
    return nlohmann::json::parse(in);
}

}  // namespace

class TstRuntimeCard : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void card_path_sits_next_to_the_weights() {
        QCOMPARE(tp::formats::card_path_for("/m/vit.safetensors"), std::string("/m/vit.card.json"));
        QCOMPARE(tp::formats::card_path_for("/m/vit.bin"), std::string("/m/vit.bin.card.json"));
    }

    void round_trip_keeps_every_field() {
        tp::formats::ModelCard c = tp::formats::read_model_card(kFixtureCard);
        c.training = tp::formats::CardTraining{};
        c.training->epochs = 6;
        c.training->augmentation = {"hflip(p=0.5)"};
        c.training->time_s = 12.5;
        c.results = tp::formats::CardResults{};
        c.results->test_top1 = 0.9;
        c.results->test_images = 10000;
        c.anchors = {{"test", 0.8817, 0.9977, 10000, "2026-12-06T17:08:03Z"}, {"holdout", 0.8914, 0.9986, 5000, ""}};
        QTemporaryDir dir;
        const std::string path = dir.filePath("x.card.json").toStdString();
        tp::formats::write_model_card(path, c);
        const tp::formats::ModelCard back = tp::formats::read_model_card(path);
        QCOMPARE(back.architecture.heads, 3);
        QCOMPARE(back.architecture.tokens, 10);
        QCOMPARE(back.input_pipeline.size(), size_t(2));
        QCOMPARE(back.input_pipeline[1].op, std::string("normalize"));
        QCOMPARE(back.input_pipeline[1].std, std::vector<double>({0.5, 0.5, 0.5}));
        QCOMPARE(back.training->epochs, 6);
        QCOMPARE(back.training->time_s, 12.5);
        QCOMPARE(back.results->test_top1, 0.9);
        QCOMPARE(back.anchors.size(), size_t(2));
        QCOMPARE(tp::find_anchor(back.anchors, "test")->top1, 0.8817);
        QCOMPARE(tp::find_anchor(back.anchors, "holdout")->images, 5000);
        QCOMPARE(tp::read_card_anchors(path).size(), size_t(2));  // the studio's reader agrees
    }

    void rejects_bad_cards_data() {
        QTest::addColumn<QString>("pointer");   // JSON pointer to change
        QTest::addColumn<QString>("value");     // JSON value, or "DELETE"
        QTest::addColumn<QString>("expected");
        QTest::newRow("unknown field") << "/colour" << "\"red\"" << "/colour: unknown field";
        QTest::newRow("missing heads") << "/architecture/heads" << "DELETE" << "architecture/heads: missing";
        QTest::newRow("heads do not divide dim") << "/architecture/heads" << "5" << "not divisible by 5 heads";
        QTest::newRow("tokens contradict patch") << "/architecture/tokens" << "17" << "17 contradicts image_size/patch";
        QTest::newRow("unknown pipeline step") << "/input_pipeline/0/op" << "\"sharpen\"" << "unknown step 'sharpen'";
        QTest::newRow("zero std") << "/input_pipeline/1/std" << "[0.5, 0, 0.5]"
                                                                   << "input_pipeline/1/std: must be positive";
        QTest::newRow("wrong format") << "/format" << "\"other\"" << "must be \"tailprune-model-card\"";
        QTest::newRow("newer version") << "/format_version" << "2" << "unsupported";
        QTest::newRow("anchor of an unknown split") << "/anchors" << R"({"val": {"top1": 0.8, "top5": 0.9, "images": 10}})"
                                                    << "anchors/val: unknown split 'val'";
        QTest::newRow("anchor without images") << "/anchors" << R"({"test": {"top1": 0.8, "top5": 0.9}})" << "anchors/test/images";
    }
    void rejects_bad_cards() {
        QFETCH(QString, pointer);
        QFETCH(QString, value);
        QFETCH(QString, expected);
        auto doc = fixture_card();
        const nlohmann::json::json_pointer ptr(pointer.toStdString());
        if (value == "DELETE")
            doc[ptr.parent_pointer()].erase(ptr.back());
        else
            doc[ptr] = nlohmann::json::parse(value.toStdString());
        QTemporaryDir dir;
        const std::string path = dir.filePath("bad.card.json").toStdString();
        std::ofstream(path) << doc.dump(2);
        try {
            tp::formats::read_model_card(path);
            QFAIL("no error");
        } catch (const tp::FormatError& e) {
            QVERIFY2(QString::fromStdString(e.what()).contains(expected), e.what());
            QVERIFY2(QString::fromStdString(e.what()).contains("bad.card.json"), e.what());
        }
    }

    // The card says one architecture, the tensors another: an error naming a tensor and the card.
    void card_contradicting_tensors_is_an_error_data() {
        QTest::addColumn<QString>("field");
        QTest::addColumn<int>("value");
        QTest::addColumn<QString>("expected");
        QTest::newRow("depth") << "depth" << 3 << "tensor 'blocks.2.norm1.weight': missing (the model card";
        QTest::newRow("embed_dim") << "embed_dim" << 48 << "tensor 'cls_token': has shape [1, 1, 24] but the model card";
        QTest::newRow("classes") << "num_classes" << 7 << "tensor 'head.weight': has shape [5, 24] but the model card";
        QTest::newRow("patch") << "patch" << 6 << "tensor 'pos_embed': has shape [1, 10, 24] but the model card";
    }
    void card_contradicting_tensors_is_an_error() {
        QFETCH(QString, field);
        QFETCH(int, value);
        QFETCH(QString, expected);
        QTemporaryDir dir;
        const std::string weights = dir.filePath("m.safetensors").toStdString();
        std::filesystem::copy_file(kFixtureWeights, weights);
        auto doc = fixture_card();
        doc["architecture"][field.toStdString()] = value;
        if (field == "patch") doc["architecture"]["tokens"] = 5;
        std::ofstream(tp::formats::card_path_for(weights)) << doc.dump(2);
        try {
            describe_model(weights);
            QFAIL("no error");
        } catch (const tp::FormatError& e) {
            QVERIFY2(QString::fromStdString(e.what()).contains(expected), e.what());
        }
    }

    void heads_option_contradicting_the_card_is_an_error() {
        try {
            describe_model(kFixtureWeights, 6);
            QFAIL("no error");
        } catch (const tp::FormatError& e) {
            QVERIFY2(QString(e.what()).contains("--heads 6 contradicts the card's 3"), e.what());
        }
    }

    void weights_without_a_card_use_shapes_and_timm_heads() {
        QTemporaryDir dir;
        const std::string weights = dir.filePath("nocard.safetensors").toStdString();
        std::filesystem::copy_file(kFixtureWeights, weights);
        auto info = describe_model(weights, 3);
        QVERIFY(!info.has_card);
        QCOMPARE(info.card.architecture.depth, 2);
        QCOMPARE(info.card.architecture.embed_dim, 24);
        QCOMPARE(info.card.architecture.image_size, 12);
        QCOMPARE(info.card.architecture.mlp_ratio_x100, 400);
        QCOMPARE(info.card.input_pipeline.front().op, std::string("resize"));
    }
};

QTEST_GUILESS_MAIN(TstRuntimeCard)
#include "tst_runtime_card.moc"
