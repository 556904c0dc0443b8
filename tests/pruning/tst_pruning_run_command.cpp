// `tailprune run` end to end on a tiny random-weights model written by the test: predictions for a
// folder of images, JSON output, independence from --batch, and one clear error per bad input.
#include <QtTest>

#include "tests/cli/cli_runner.h"

#include <fstream>

#include <nlohmann/json.hpp>

#include "core/model/method_rules.h"
#include "core/model/schedule_json.h"
#include "core/formats/model_card.h"
#include "core/runtime/trainer.h"
#include "core/runtime/vit.h"
#include "core/runtime/vit_weights.h"

using namespace tp;
using namespace tp::runtime;

Q_DECLARE_METATYPE(std::vector<int>)

namespace {

CliResult run_cli(const QStringList& args) { return runCli(args, 120000); }

ModelInfo tiny_model() {
    ModelInfo m;
    m.name = "tiny_fmnist";
    m.depth = 2;
    m.embed_dim = 16;
    m.heads = 2;
    m.patch = 7;
    m.image_size = 28;
    m.channels = 1;
    m.num_classes = 10;
    m.tokens = 17;
    return m;
}

// A 28x28 8-bit PGM whose pixels depend on `seed`.
void write_pgm(const QString& path, int seed) {
    std::ofstream f(path.toStdString(), std::ios::binary);
    f << "P5\n28 28\n255\n";
    for (int i = 0; i < 28 * 28; ++i) f.put(static_cast<char>((i * (seed + 3) + seed * 17) % 256));
}

}  // namespace

class TestPruningRunCommand : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void predicts_every_image_in_a_folder();
    void json_is_independent_of_batch_size_data();
    void json_is_independent_of_batch_size();
    void bad_input_gives_one_clear_error_data();
    void bad_input_gives_one_clear_error();

private:
    QTemporaryDir dir_;
    QString weights_, images_;
    QString schedule(const std::string& name, const std::vector<int>& tokens, const std::string& method = "topk",
                     int depth = 2);
};

QString TestPruningRunCommand::schedule(const std::string& name, const std::vector<int>& tokens,
                                        const std::string& method, int depth) {
    ModelInfo m = tiny_model();
    m.depth = depth;
    Schedule s = unpruned_schedule(m);
    s.name = name;
    s.method = method;
    s.tokens_after_block = tokens;
    const QString path = dir_.filePath(QString::fromStdString(name) + ".json");
    save_schedule(s, path.toStdString());
    return path;
}

void TestPruningRunCommand::initTestCase() {
    QVERIFY(dir_.isValid());
    torch::manual_seed(0);
    VisionTransformer model(tiny_model());
    weights_ = dir_.filePath("tiny_fmnist.safetensors");
    save_weights(model, weights_.toStdString());
    tp::formats::ModelCard card;
    card.name = "tiny_fmnist";
    card.architecture = tiny_model();
    card.input_pipeline = fashion_mnist_pipeline();
    card.data.dataset = "fashion-mnist";
    for (int c = 0; c < 10; ++c) card.data.classes.push_back("class" + std::to_string(c));
    card.weights_file = "tiny_fmnist.safetensors";
    card.created = "2026-01-01T00:00:00Z";
    tp::formats::write_model_card(tp::formats::card_path_for(weights_.toStdString()), card);
    QDir(dir_.path()).mkdir("images");
    images_ = dir_.filePath("images");
    for (int i = 0; i < 3; ++i) write_pgm(images_ + QString("/img%1.pgm").arg(i), i);
    QDir(dir_.path()).mkdir("empty");
    std::ofstream(dir_.filePath("broken.png").toStdString()) << "not a png";
}

void TestPruningRunCommand::predicts_every_image_in_a_folder() {
    const auto r = run_cli({"run", "--weights", weights_, "--schedule", schedule("topk9", {17, 9}), images_});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QVERIFY2(r.out.contains("schedule 'topk9', method topk, 1 pruning point(s), 3 image(s)"), qPrintable(r.out));
    for (int i = 0; i < 3; ++i) QVERIFY(r.out.contains(QString("img%1.pgm: class").arg(i)));
}

void TestPruningRunCommand::json_is_independent_of_batch_size_data() {
    QTest::addColumn<QString>("method");
    QTest::addColumn<std::vector<int>>("tokens");
    for (const auto& m : {"random", "topk", "pomt", "pomt_nomerge", "tome", "zerotprune"})
        QTest::newRow(m) << QString(m) << std::vector<int>{12, 9};
    QTest::newRow("none") << "none" << std::vector<int>{17, 17};
}

void TestPruningRunCommand::json_is_independent_of_batch_size() {
    QFETCH(QString, method);
    QFETCH(std::vector<int>, tokens);
    const QString s = schedule("b_" + method.toStdString(), tokens, method.toStdString());
    const auto one = run_cli({"run", "--json", "--batch", "1", "--weights", weights_, "--schedule", s, images_});
    const auto all = run_cli({"run", "--json", "--batch", "3", "--weights", weights_, "--schedule", s, images_});
    QVERIFY2(one.exitCode == 0 && all.exitCode == 0, qPrintable(one.err + all.err));
    const auto a = nlohmann::json::parse(one.out.toStdString());
    const auto b = nlohmann::json::parse(all.out.toStdString());
    QCOMPARE(a["method"].get<std::string>(), method.toStdString());
    QCOMPARE(a["predictions"].size(), std::size_t(3));
    for (std::size_t i = 0; i < 3; ++i) {
        const auto& ta = a["predictions"][i]["top"];
        const auto& tb = b["predictions"][i]["top"];
        QCOMPARE(ta.size(), std::size_t(3));
        QVERIFY(ta[0]["probability"].get<double>() >= ta[1]["probability"].get<double>());
        QCOMPARE(ta[0]["class"].get<int>(), tb[0]["class"].get<int>());
        QVERIFY(std::abs(ta[0]["probability"].get<double>() - tb[0]["probability"].get<double>()) < 1e-5);
    }
}

void TestPruningRunCommand::bad_input_gives_one_clear_error_data() {
    QTest::addColumn<QString>("schedule_name");
    QTest::addColumn<std::vector<int>>("tokens");
    QTest::addColumn<int>("depth");
    QTest::addColumn<QString>("method_override");
    QTest::addColumn<QString>("input");  // relative to the temp dir
    QTest::addColumn<QString>("error");
    QTest::newRow("tome_cannot_realise") << "e_tome" << std::vector<int>{17, 5} << 2 << "tome" << "images"
                                         << "/tokens_after_block/1: block 1 removes 12 of 17 tokens; ToMe merges at most half of the 16 non-CLS tokens (8)";
    QTest::newRow("pomt_needs_merged_token") << "e_pomt" << std::vector<int>{17, 1} << 2 << "pomt" << "images"
                                             << "/tokens_after_block/1: block 1 keeps 1 token(s); POMT keeps CLS and one merged token";
    QTest::newRow("schedule_for_other_model") << "e_depth" << std::vector<int>{17, 9, 9} << 3 << "" << "images"
                                              << "is for 3 blocks and 17 tokens, but";
    QTest::newRow("unknown_method") << "e_method" << std::vector<int>{17, 9} << 2 << "evit" << "images"
                                    << "/method: unknown method 'evit'";
    QTest::newRow("not_an_image") << "e_png" << std::vector<int>{17, 9} << 2 << "" << "broken.png"
                                  << "broken.png: cannot decode the image";
    QTest::newRow("empty_folder") << "e_empty" << std::vector<int>{17, 9} << 2 << "" << "empty"
                                  << "the folder holds no image files";
    QTest::newRow("missing_input") << "e_missing" << std::vector<int>{17, 9} << 2 << "" << "nowhere"
                                   << "nowhere: no such image file or folder";
}

void TestPruningRunCommand::bad_input_gives_one_clear_error() {
    QFETCH(QString, schedule_name);
    QFETCH(std::vector<int>, tokens);
    QFETCH(int, depth);
    QFETCH(QString, method_override);
    QFETCH(QString, input);
    QFETCH(QString, error);
    QStringList args{"run", "--weights", weights_, "--schedule", schedule(schedule_name.toStdString(), tokens, "topk", depth)};
    if (!method_override.isEmpty()) args << "--method" << method_override;
    args << dir_.filePath(input);
    const auto r = run_cli(args);
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.out.isEmpty(), qPrintable(r.out));  // nothing partial printed
    QCOMPARE(r.err.count("error: "), 1);
    QVERIFY2(r.err.contains(error), qPrintable(r.err));
}

QTEST_GUILESS_MAIN(TestPruningRunCommand)
#include "tst_pruning_run_command.moc"
