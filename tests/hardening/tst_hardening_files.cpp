// Crafted files must give one clear error, never a crash or a huge allocation (issue #28): model
// cards, input pipelines, profiles with deep nesting, safetensors headers, IDX files, gzip bombs,
// token lists, images whose header claims a giant size; and durable writes that never follow a
// planted link nor leave half a file.
#include <sys/stat.h>
#include <unistd.h>

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

#include "core/agent/client_protocol.h"
#include "core/agent/event_chunks.h"
#include "core/agent/path_policy.h"
#include "core/agent/token_spec.h"
#include "core/data/fashion_mnist.h"
#include "core/data/image_decode.h"
#include "core/data/input_pipeline.h"
#include "core/formats/model_card.h"
#include "core/formats/safetensors.h"
#include "core/model/profile_json.h"
#include "core/util/file_io.h"
#include "core/util/format_error.h"
#include "core/util/gzip.h"
#include "core/util/json_lines.h"

using nlohmann::json;

namespace {

const char* kShippedCard = TAILPRUNE_SOURCE_DIR "/resources/models/fmnist_vit8/fmnist_vit8.card.json";

std::string deep_array(std::size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }

// What the call threw (empty when it did not throw a FormatError).
template <class F>
std::string error_of(F&& call) {
    try {
        call();
    } catch (const tp::FormatError& e) {
        return e.what();
    }
    return {};
}

void write_bytes(const QString& path, const std::string& bytes) {
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(bytes.data(), static_cast<qint64>(bytes.size()));
}

std::string safetensors_bytes(const std::string& header) {
    std::string out(8, '\0');
    for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((header.size() >> (8 * i)) & 0xff);
    return out + header;
}

std::string be32(std::uint32_t v) {
    return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8), static_cast<char>(v)};
}

}  // namespace

class TstHardeningFiles : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void craftedCardIsRefused_data() {
        QTest::addColumn<QString>("pointer");    // JSON pointer of the field to replace
        QTest::addColumn<QString>("value");      // its new JSON value
        QTest::addColumn<QString>("expected");   // part of the error
        QTest::newRow("pad of 2^31 after a crop") << "/input_pipeline"
            << R"([{"op":"center_crop","size":29},{"op":"pad","pixels":2147483633},{"op":"to_float","divide_by":255}])"
            << "pixels";
        QTest::newRow("resize to INT_MAX") << "/input_pipeline"
            << R"([{"op":"resize","size":2147483647,"interpolation":"bilinear"},{"op":"to_float","divide_by":255}])"
            << "size";
        QTest::newRow("depth 2^32 would wrap to 0") << "/architecture/depth" << "4294967296" << "out of range";
        QTest::newRow("depth over the limit") << "/architecture/depth" << "100000" << "over the limit";
        QTest::newRow("embed_dim over the limit") << "/architecture/embed_dim" << "1000000000" << "over the limit";
        QTest::newRow("weights outside the folder") << "/weights_file" << R"("../../etc/passwd")" << "weights_file";
        QTest::newRow("weights by absolute path") << "/weights_file" << R"("/etc/passwd")" << "weights_file";
        QTest::newRow("nested 100k deep") << "/data/source" << QString::fromStdString(deep_array(100000))
                                          << "deeper than 128";
    }
    void craftedCardIsRefused() {
        QFETCH(QString, pointer);
        QFETCH(QString, value);
        QFETCH(QString, expected);
        json card = json::parse(tp::read_text_file(kShippedCard));
        // A deep value cannot go through nlohmann (that is the point): splice it in as text.
        card[json::json_pointer(pointer.toStdString())] = "@@VALUE@@";
        std::string text = card.dump();
        text.replace(text.find("\"@@VALUE@@\""), 11, value.toStdString());
        QTemporaryDir dir;
        const QString path = dir.filePath("crafted.card.json");
        write_bytes(path, text);
        const std::string error = error_of([&] { tp::formats::read_model_card(path.toStdString()); });
        QVERIFY2(!error.empty(), "the crafted card was accepted");
        QVERIFY2(QString::fromStdString(error).contains(expected), error.c_str());
        QVERIFY2(QString::fromStdString(error).contains("crafted.card.json"), error.c_str());
    }

    void pipelineChecksEveryIntermediateSize_data() {
        QTest::addColumn<QString>("op");
        QTest::addColumn<int>("value");
        QTest::addColumn<int>("imageHeight");
        QTest::addColumn<int>("imageWidth");
        // The card reader bounds each step; the pipeline must also hold when handed steps directly.
        QTest::newRow("pad wraps height + 2p") << "pad" << 2147483633 << 29 << 29;
        QTest::newRow("pad past the side limit") << "pad" << 9000 << 28 << 28;
        QTest::newRow("crop past the side limit") << "center_crop" << 20000 << 28 << 28;
        QTest::newRow("resize of a thin strip") << "resize" << 16384 << 1 << 64;
    }
    void pipelineChecksEveryIntermediateSize() {
        QFETCH(QString, op);
        QFETCH(int, value);
        QFETCH(int, imageHeight);
        QFETCH(int, imageWidth);
        tp::formats::PipelineStep step{op.toStdString()};
        step.size = value;
        step.pixels = value;
        step.interpolation = "bilinear";
        tp::formats::PipelineStep to_float{"to_float"};
        to_float.divide_by = 255;
        tp::data::RawImage image{imageHeight, imageWidth, 1,
                                 std::vector<std::uint8_t>(static_cast<size_t>(imageHeight) * imageWidth, 7)};
        std::vector<float> out(28 * 28);
        const std::string error = error_of([&] { tp::data::apply_pipeline({step, to_float}, image, 1, 28, out.data()); });
        QVERIFY2(QString::fromStdString(error).contains("limit"), error.c_str());
    }

    void deepProfileGivesOneError() {
        // 100 KB nested 50k deep next to a bad field: the error report must not recurse or rescan.
        const std::string text = R"({"format":"tailprune-profile","format_version":1,"junk":)" + deep_array(50000) +
                                 R"(,"bad":1})";
        const std::string error = error_of([&] { tp::parse_profile(text, "deep.json"); });
        QVERIFY2(QString::fromStdString(error).contains("deeper than 128"), error.c_str());
        QVERIFY2(QString::fromStdString(error).contains("deep.json"), error.c_str());
    }

    void profileModelSizesAreBounded_data() {
        QTest::addColumn<QString>("field");
        QTest::addColumn<int>("value");
        QTest::newRow("depth 10000") << "depth" << 10000;
        QTest::newRow("10M tokens") << "tokens" << 10000000;
        QTest::newRow("embed_dim 10^9") << "embed_dim" << 1000000000;
    }
    void profileModelSizesAreBounded() {
        QFETCH(QString, field);
        QFETCH(int, value);
        // A few hundred bytes must not make the predictor or the editor allocate per block x token.
        json doc = json::parse(tp::read_text_file(TAILPRUNE_SOURCE_DIR "/profiles/h100_timm_deit_small_fp16_b1_model.json.gz"));
        doc["model"][field.toStdString()] = value;
        const std::string error = error_of([&] { tp::parse_profile(doc.dump(), "big.json"); });
        QVERIFY2(QString::fromStdString(error).contains(field), error.c_str());
    }

    void pointerLineOnDeepText() {
        // The line scanner is used on texts that passed parsing; still, it must be flat and linear.
        const std::string text = "{\n\"a\":\n" + deep_array(200000) + ",\n\"b\": 1\n}";
        QCOMPARE(tp::json_pointer_line(text, "/b"), 4);
        QCOMPARE(tp::json_pointer_line(text, "/a/0/0/0"), 3);
        QCOMPARE(tp::json_pointer_line(text, "/missing/x"), 1);
    }

    void pointerLine_data() {
        QTest::addColumn<QString>("pointer");
        QTest::addColumn<int>("line");
        QTest::newRow("root") << "" << 1;
        QTest::newRow("member") << "/curves" << 3;
        QTest::newRow("element") << "/curves/1" << 6;
        QTest::newRow("nested member") << "/curves/1/median_ms" << 8;
        QTest::newRow("escaped slash") << "/a~1b" << 11;
        QTest::newRow("escaped tilde") << "/c~0d" << 12;
        QTest::newRow("missing member points at its object") << "/curves/1/nope" << 6;
        QTest::newRow("index past the end points at the array") << "/curves/7" << 3;
        QTest::newRow("string with brackets is skipped") << "/after" << 13;
    }
    void pointerLine() {
        QFETCH(QString, pointer);
        QFETCH(int, line);
        const std::string text =
            "{\n"                                   // 1
            "  \"name\": \"x\",\n"                  // 2
            "  \"curves\": [\n"                     // 3
            "    {\"tokens\": 1,\n"                 // 4
            "     \"median_ms\": 2},\n"             // 5
            "    {\"tokens\": 2,\n"                 // 6
            "     \"list\": [1, [2, {\"q\": 3}]],\n"// 7
            "     \"median_ms\": 3}\n"              // 8
            "  ],\n"                                // 9
            "  \"s\": \"]]}}{{[[\\\"\",\n"          // 10
            "  \"a/b\": 1,\n"                       // 11
            "  \"c~d\": 2,\n"                       // 12
            "  \"after\": true\n"                   // 13
            "}\n";
        QVERIFY(json::accept(text));
        QCOMPARE(tp::json_pointer_line(text, pointer.toStdString()), line);
    }

    void craftedSafetensorsHeaderIsRefused_data() {
        QTest::addColumn<QString>("header");
        QTest::addColumn<QString>("expected");
        QTest::newRow("rank 9") << R"({"w":{"dtype":"F32","shape":[1,1,1,1,1,1,1,1,1],"data_offsets":[0,4]}})"
                                << "dimensions";
        QTest::newRow("element count wraps 2^64") << R"({"w":{"dtype":"F32","shape":[4294967296,4294967296,16],"data_offsets":[0,0]}})"
                                << "elements";
        QTest::newRow("element count past the limit") << R"({"w":{"dtype":"F32","shape":[2147483647,4],"data_offsets":[0,0]}})"
                                << "elements";
        QTest::newRow("nested header") << QString::fromStdString("{\"__metadata__\":" + deep_array(5000) + "}")
                                << "deeper";
    }
    void craftedSafetensorsHeaderIsRefused() {
        QFETCH(QString, header);
        QFETCH(QString, expected);
        const std::string bytes = safetensors_bytes(header.toStdString());
        const std::string error = error_of([&] {
            tp::formats::SafetensorsFile::parse(std::vector<char>(bytes.begin(), bytes.end()), "crafted.safetensors");
        });
        QVERIFY2(QString::fromStdString(error).contains(expected), error.c_str());
    }

    void idxDimensionsMayNotWrap() {
        // 2^16 four times is 2^64: it wrapped to 0 and matched an empty data section.
        QTemporaryDir dir;
        const QString path = dir.filePath("wrap.idx");
        write_bytes(path, std::string("\0\0\x08\x04", 4) + be32(1u << 16) + be32(1u << 16) + be32(1u << 16) + be32(1u << 16));
        const std::string error = error_of([&] { tp::data::read_idx(path.toStdString()); });
        QVERIFY2(QString::fromStdString(error).contains("implausible"), error.c_str());
    }

    void gzipIsBounded() {
        const std::string plain(4 << 20, '\0');
        const std::string packed = tp::gzip(plain);
        QVERIFY(packed.size() < 64 * 1024);
        QCOMPARE(tp::gunzip(packed, 4 << 20, "ok.gz").size(), plain.size());
        const std::string bomb = error_of([&] { tp::gunzip(packed, 1 << 20, "bomb.gz"); });
        QVERIFY2(QString::fromStdString(bomb).contains("decompresses to more than 1 MiB"), bomb.c_str());
        const std::string cut = error_of([&] { tp::gunzip(packed.substr(0, packed.size() / 2), 8 << 20, "cut.gz"); });
        QVERIFY2(QString::fromStdString(cut).contains("corrupt gzip data"), cut.c_str());
    }

    void gzipProfilesReadAndWriteLikePlainOnes() {
        QTemporaryDir dir;
        const std::string shipped = TAILPRUNE_SOURCE_DIR "/profiles/cpu-2core_fmnist_vit8_fp32_b1_deployed.json.gz";
        const tp::Profile profile = tp::load_profile(shipped);
        QVERIFY(!profile.curves.empty());
        const std::string packed = dir.filePath("copy.json.gz").toStdString();
        const std::string plain = dir.filePath("copy.json").toStdString();
        tp::save_profile(profile, packed);
        tp::save_profile(profile, plain);
        QFile f(QString::fromStdString(packed));
        QVERIFY(f.open(QIODevice::ReadOnly));
        QVERIFY(tp::has_gzip_magic(f.read(2).toStdString()));
        QVERIFY(QFileInfo(QString::fromStdString(packed)).size() * 3 < QFileInfo(QString::fromStdString(plain)).size());
        QCOMPARE(tp::to_json(tp::load_profile(packed)).dump(), tp::to_json(tp::load_profile(plain)).dump());
    }

    void oversizedFileIsRefusedBeforeReading() {
        QTemporaryDir dir;
        const QString path = dir.filePath("big.json");
        write_bytes(path, std::string(4096, ' '));
        const std::string error = error_of([&] { tp::read_text_file(path.toStdString(), 1024); });
        QVERIFY2(QString::fromStdString(error).contains("limit"), error.c_str());
    }

    void tokenListsAreBounded() {
        std::string all;
        for (int i = 0; i < 200000; ++i) all += "all,";
        all += "5";
        const auto counts = tp::agent::parse_token_spec(all, 197);
        QCOMPARE(int(counts.size()), 197);
        QCOMPARE(counts.front(), 1);
        QCOMPARE(counts.back(), 197);
        std::string ranges;
        for (int i = 0; i < 20000; ++i) ranges += "1..197,";
        ranges += "1";
        const std::string error = error_of([&] { tp::agent::parse_token_spec(ranges, 197); });
        QVERIFY2(QString::fromStdString(error).contains("expands to more than"), error.c_str());
        QVERIFY(!error_of([&] { tp::agent::parse_token_spec("1..5", 2000000000); }).empty());
    }

    void imageHeaderClaimingAGiantSizeIsRefused() {
        // A 54-byte BMP whose header says 20000 x 20000 (1.2 GB of pixels).
        std::string bmp(54, '\0');
        auto le32 = [&](int at, std::uint32_t v) {
            for (int i = 0; i < 4; ++i) bmp[at + i] = static_cast<char>((v >> (8 * i)) & 0xff);
        };
        bmp[0] = 'B';
        bmp[1] = 'M';
        le32(2, 54);
        le32(10, 54);
        le32(14, 40);
        le32(18, 20000);
        le32(22, 20000);
        bmp[26] = 1;
        bmp[28] = 24;
        QTemporaryDir dir;
        const QString path = dir.filePath("giant.bmp");
        write_bytes(path, bmp);
        const std::string error = error_of([&] { tp::data::decode_image_file(path.toStdString(), 0); });
        QVERIFY2(!error.empty(), "the giant image was decoded");
        QVERIFY2(QString::fromStdString(error).contains("giant.bmp"), error.c_str());
    }

    void durableWriteNeverFollowsAPlantedLink() {
        QTemporaryDir dir;
        const QString target = dir.filePath("profile.json");
        const QString victim = dir.filePath("victim.txt");
        write_bytes(victim, "precious");
        // The names the old writers used for their temporary files.
        for (const QString& planted : {target + ".tmp", target + ".tmp-tailprune"})
            QVERIFY(QFile::link(victim, planted));
        tp::write_text_file_atomically(target.toStdString(), "{\"new\": true}\n");
        QCOMPARE(QString::fromStdString(tp::read_text_file(victim.toStdString())), QString("precious"));
        QCOMPARE(QString::fromStdString(tp::read_text_file(target.toStdString())), QString("{\"new\": true}\n"));
    }

    void uncommittedWriteLeavesTheOldFile() {
        QTemporaryDir dir;
        const QString target = dir.filePath("store.csv");
        write_bytes(target, "old");
        ::chmod(target.toLocal8Bit().constData(), 0640);
        {
            tp::DurableFile file(target.toStdString());
            file.write(std::string("half of the new"));
        }  // no commit: as if the process failed mid-way
        QCOMPARE(QString::fromStdString(tp::read_text_file(target.toStdString())), QString("old"));
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden).size(), 1);  // no temporary left
        tp::write_text_file_atomically(target.toStdString(), "new");
        struct stat st {};
        QCOMPARE(::stat(target.toLocal8Bit().constData(), &st), 0);
        QCOMPARE(int(st.st_mode & 0777), 0640);  // the replaced file's permissions are kept
    }

    void requestPathsStayInsideTheRoots_data() {
        QTest::addColumn<QString>("relative");  // to the temporary root; "/..." means absolute
        QTest::addColumn<bool>("allowed");
        QTest::newRow("inside") << "models/m.safetensors" << true;
        QTest::newRow("a new file inside") << "out/new.json" << true;
        QTest::newRow("the root itself") << "" << true;
        QTest::newRow("dot-dot out of the root") << "models/../../x" << false;
        QTest::newRow("a link inside pointing out") << "escape/passwd" << false;
        QTest::newRow("absolute elsewhere") << "/etc/passwd" << false;
        QTest::newRow("a sibling with the root as prefix") << "../" << false;
    }
    void requestPathsStayInsideTheRoots() {
        QFETCH(QString, relative);
        QFETCH(bool, allowed);
        QTemporaryDir parent;
        const QString root = parent.filePath("root");
        QVERIFY(QDir().mkpath(root + "/models"));
        QVERIFY(QDir().mkpath(root + "/out"));
        QVERIFY(QDir().mkpath(parent.filePath("root-sibling")));
        QVERIFY(QFile::link("/etc", root + "/escape"));
        tp::agent::PathPolicy policy;
        policy.roots = {QDir(root).canonicalPath().toStdString()};
        QString path = relative.startsWith('/') ? relative : root + "/" + relative;
        if (relative == "../") path = parent.filePath("root-sibling/x.json");
        const std::string error = error_of([&] {
            tp::agent::check_request_paths(policy, json{{"output", path.toStdString()}});
        });
        QCOMPARE(error.empty(), allowed);
        if (!allowed) QVERIFY2(QString::fromStdString(error).contains("outside the folders"), error.c_str());
    }

    void eventsSplitAndJoinAtAnyLimit_data() {
        QTest::addColumn<int>("limit");
        QTest::newRow("no limit") << 0;
        QTest::newRow("4 KiB") << 4096;
        QTest::newRow("5000 bytes") << 5000;
        QTest::newRow("1 MiB (fits)") << (1 << 20);
    }
    void eventsSplitAndJoinAtAnyLimit() {
        QFETCH(int, limit);
        // Quotes, backslashes and multi-byte characters: escaping grows a piece, and no cut may
        // fall inside a character.
        std::string text;
        for (int i = 0; i < 3000; ++i) text += i % 3 == 0 ? "\"\\" : i % 3 == 1 ? "\u00e9\u6f22" : "x,";
        const json event = {{"v", 3}, {"id", 7}, {"event", "done"}, {"result", {{"text", text}}}};
        const auto lines = tp::agent::split_event(event, static_cast<std::size_t>(limit));
        tp::agent::ChunkAssembler assembler;
        std::optional<json> whole;
        for (const auto& line : lines) {
            if (limit > 0) QVERIFY(line.dump().size() + 1 <= static_cast<std::size_t>(limit));
            if (line["event"] != "chunk") {
                whole = line;
                continue;
            }
            if (auto joined = assembler.feed(line)) whole = json::parse(*joined);
        }
        QVERIFY(whole.has_value());
        QCOMPARE(QString::fromStdString((*whole)["result"]["text"]), QString::fromStdString(text));
        QCOMPARE(lines.size() > 1, limit > 0 && limit < (1 << 20));
    }

    void onlyAgentsOfProtocol3AreAskedForChunks() {
        // A protocol-2 agent's strict readers would refuse the unknown field.
        const json old = json::parse(tp::agent::job_request_line(5, "profile", {{"model", "deit_tiny"}}, 2));
        QVERIFY(!old.contains("max_line_bytes"));
        const json current = json::parse(tp::agent::job_request_line(5, "profile", {{"model", "deit_tiny"}}, 3));
        QCOMPARE(current["max_line_bytes"].get<std::size_t>(), tp::agent::kClientMaxLineBytes);
        QCOMPARE(QString::fromStdString(current["model"]), QString("deit_tiny"));
    }

    void chunksOutOfOrderAreRefused() {
        const json event = {{"v", 3}, {"id", 1}, {"event", "done"}, {"result", std::string(20000, 'a')}};
        auto lines = tp::agent::split_event(event, 4096);
        QVERIFY(lines.size() > 2);
        tp::agent::ChunkAssembler assembler;
        QVERIFY(!assembler.feed(lines[0]).has_value());
        QVERIFY_THROWS_EXCEPTION(std::runtime_error, assembler.feed(lines[2]));
    }

    void writeIntoAMissingFolderFailsClearly() {
        const std::string error = error_of([] { tp::write_text_file_atomically("/nonexistent-folder/x.json", "{}"); });
        QVERIFY2(QString::fromStdString(error).contains("/nonexistent-folder"), error.c_str());
    }
};

QTEST_GUILESS_MAIN(TstHardeningFiles)
#include "tst_hardening_files.moc"
