// The input pipeline (timm's eval transform and the Fashion-MNIST one) and tp::data::ImageFolder decoding.
#include <cmath>

#include <QDir>
#include <QTemporaryDir>
#include <QtTest>

#define STB_IMAGE_WRITE_IMPLEMENTATION
#define STB_IMAGE_WRITE_STATIC
#include <stb_image_write.h>

#include "core/util/format_error.h"
#include "core/data/image_folder.h"
#include "core/data/input_pipeline.h"

using namespace tp::data;

namespace {

tp::data::RawImage gradient(int h, int w, int channels) {
    tp::data::RawImage img{h, w, channels, {}};
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x)
            for (int c = 0; c < channels; ++c) img.pixels.push_back(static_cast<uint8_t>((x * 7 + y * 3 + c * 50) % 256));
    return img;
}

tp::formats::PipelineStep step(const std::string& op) { return tp::formats::PipelineStep{op}; }

}  // namespace

class TstRuntimePipeline : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void normalize_values_data() {
        QTest::addColumn<int>("pixel");
        QTest::addColumn<int>("channel");
        QTest::addColumn<float>("expected");
        QTest::newRow("R of pixel 0") << 0 << 0 << -1.0f;        // (0 - .5) / .5
        QTest::newRow("G of pixel 0") << 0 << 1 << 1.0f;         // (1 - 0) / 1
        QTest::newRow("B of pixel 0") << 0 << 2 << 0.0f;         // (.2 - .2) / .1
        QTest::newRow("R of pixel 1") << 1 << 0 << 1.0f;
        QTest::newRow("B of pixel 1") << 1 << 2 << 2.0f;         // (.4 - .2) / .1
    }
    void normalize_values() {
        QFETCH(int, pixel);
        QFETCH(int, channel);
        QFETCH(float, expected);
        tp::data::RawImage img{1, 1, 3, {0, 255, 51}};
        if (pixel == 1) img.pixels = {255, 0, 102};
        auto to_float = step("to_float");
        to_float.divide_by = 255;
        auto norm = step("normalize");
        norm.mean = {0.5, 0.0, 0.2};
        norm.std = {0.5, 1.0, 0.1};
        float out[3];
        tp::data::apply_pipeline({to_float, norm}, img, 3, 1, out);
        QVERIFY2(std::fabs(out[channel] - expected) < 1e-5, qPrintable(QString::number(out[channel])));
    }

    // timm eval transform: shorter side to 256, center 224 crop; output is CHW.
    void timm_eval_transform_shapes_data() {
        QTest::addColumn<int>("height");
        QTest::addColumn<int>("width");
        QTest::newRow("landscape") << 300 << 500;
        QTest::newRow("portrait") << 480 << 256;
        QTest::newRow("smaller than the crop") << 100 << 120;
    }
    void timm_eval_transform_shapes() {
        QFETCH(int, height);
        QFETCH(int, width);
        const auto steps = tp::formats::timm_eval_pipeline(224);
        QCOMPARE(steps[0].size, 256);
        std::vector<float> out(3 * 224 * 224, NAN);
        tp::data::apply_pipeline(steps, gradient(height, width, 3), 3, 224, out.data());
        for (float v : out) QVERIFY(std::isfinite(v) && v > -2.2f && v < 2.7f);
    }

    void center_crop_takes_the_middle() {
        tp::data::RawImage img{4, 4, 1, {}};
        for (int i = 0; i < 16; ++i) img.pixels.push_back(static_cast<uint8_t>(i));
        auto crop = step("center_crop");
        crop.size = 2;
        auto to_float = step("to_float");
        to_float.divide_by = 1;
        float out[4];
        tp::data::apply_pipeline({crop, to_float}, img, 1, 2, out);
        QCOMPARE(out[0], 5.0f);
        QCOMPARE(out[1], 6.0f);
        QCOMPARE(out[2], 9.0f);
        QCOMPARE(out[3], 10.0f);
    }

    void grey_image_feeds_an_rgb_model() {
        tp::data::RawImage img{2, 2, 1, {10, 20, 30, 40}};
        auto to_float = step("to_float");
        to_float.divide_by = 1;
        float out[12];
        tp::data::apply_pipeline({to_float}, img, 3, 2, out);
        QCOMPARE(out[0], 10.0f);
        QCOMPARE(out[4 + 3], 40.0f);
        QCOMPARE(out[8 + 1], 20.0f);
    }

    void wrong_output_size_is_an_error_data() {
        QTest::addColumn<bool>("withFloat");
        QTest::addColumn<QString>("expected");
        QTest::newRow("no to_float") << false << "has no to_float step";
        QTest::newRow("no crop") << true << "produces 5x7 images, the model takes 4x4";
    }
    void wrong_output_size_is_an_error() {
        QFETCH(bool, withFloat);
        QFETCH(QString, expected);
        auto to_float = step("to_float");
        to_float.divide_by = 255;
        std::vector<tp::formats::PipelineStep> steps;
        if (withFloat) steps.push_back(to_float);
        std::vector<float> out(100);
        try {
            tp::data::apply_pipeline(steps, gradient(5, 7, 1), 1, 4, out.data());
            QFAIL("no error");
        } catch (const tp::FormatError& e) {
            QVERIFY2(QString(e.what()).contains(expected), e.what());
        }
    }

    void image_folder_lists_classes_and_decodes() {
        QTemporaryDir dir;
        QDir root(dir.path());
        root.mkpath("b_cat");
        root.mkpath("a_dog");
        const auto img = gradient(6, 9, 3);
        stbi_write_png(dir.filePath("a_dog/1.png").toStdString().c_str(), 9, 6, 3, img.pixels.data(), 9 * 3);
        stbi_write_jpg(dir.filePath("b_cat/x.JPG").toStdString().c_str(), 9, 6, 3, img.pixels.data(), 95);
        stbi_write_png(dir.filePath("b_cat/y.png").toStdString().c_str(), 9, 6, 3, img.pixels.data(), 9 * 3);
        QFile notes(dir.filePath("b_cat/readme.txt"));
        QVERIFY(notes.open(QIODevice::WriteOnly));
        notes.write("not an image");
        notes.close();
        auto folder = tp::data::ImageFolder::open(dir.path().toStdString(), 3);
        QCOMPARE(folder.class_names(), std::vector<std::string>({"a_dog", "b_cat"}));
        QCOMPARE(folder.size(), size_t(3));
        QCOMPARE(folder.label(0), 0);
        QCOMPARE(folder.label(2), 1);
        const auto png = folder.image(0);
        QCOMPARE(png.width, 9);
        QCOMPARE(png.height, 6);
        QCOMPARE(png.pixels, img.pixels);  // PNG is lossless
        QCOMPARE(tp::data::ImageFolder::open(dir.path().toStdString(), 1).image(1).channels, 1);
    }

    void broken_image_names_the_file() {
        QTemporaryDir dir;
        QDir(dir.path()).mkpath("c");
        QFile bad(dir.filePath("c/broken.png"));
        QVERIFY(bad.open(QIODevice::WriteOnly));
        bad.write("\x89PNG\r\n\x1a\n garbage");
        bad.close();
        auto folder = tp::data::ImageFolder::open(dir.path().toStdString(), 3);
        try {
            folder.image(0);
            QFAIL("no error");
        } catch (const tp::FormatError& e) {
            QVERIFY2(QString(e.what()).contains("broken.png: cannot decode the image"), e.what());
        }
    }

    void folder_without_classes_is_an_error() {
        QTemporaryDir dir;
        try {
            tp::data::ImageFolder::open(dir.path().toStdString(), 3);
            QFAIL("no error");
        } catch (const tp::FormatError& e) {
            QVERIFY2(QString(e.what()).contains("no class sub-folders"), e.what());
        }
    }
};

QTEST_GUILESS_MAIN(TstRuntimePipeline)
#include "tst_formats_pipeline.moc"
