// IDX files, plain and gzip-compressed, including corrupt ones, and the Fashion-MNIST loader.
#include <fstream>

#include <QTemporaryDir>
#include <QtTest>
#include <zlib.h>

#include "core/util/format_error.h"
#include "core/data/fashion_mnist.h"

using namespace tp::data;

namespace {

std::vector<uint8_t> idx_bytes(const std::vector<uint32_t>& dims, uint8_t fill_start) {
    std::vector<uint8_t> b = {0, 0, 0x08, static_cast<uint8_t>(dims.size())};
    size_t total = 1;
    for (auto d : dims) {
        for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<uint8_t>((d >> s) & 0xff));
        total *= d;
    }
    for (size_t i = 0; i < total; ++i) b.push_back(static_cast<uint8_t>(fill_start + i % 10));
    return b;
}

void write_plain(const std::string& path, const std::vector<uint8_t>& bytes) {
    std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

void write_gz(const std::string& path, const std::vector<uint8_t>& bytes) {
    gzFile f = gzopen(path.c_str(), "wb");
    gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size()));
    gzclose(f);
}

std::vector<uint8_t> read_all(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

class TstRuntimeIdx : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void reads_plain_and_gzip_data() {
        QTest::addColumn<bool>("gzip");
        QTest::newRow("plain") << false;
        QTest::newRow("gzip") << true;
    }
    void reads_plain_and_gzip() {
        QFETCH(bool, gzip);
        QTemporaryDir dir;
        const std::string path = dir.filePath("a.idx").toStdString();
        const auto bytes = idx_bytes({3, 2, 2}, 0);
        gzip ? write_gz(path, bytes) : write_plain(path, bytes);
        auto a = tp::data::read_idx(path);
        QCOMPARE(a.dims, std::vector<int>({3, 2, 2}));
        QCOMPARE(a.data.size(), size_t(12));
        QCOMPARE(int(a.data[11]), 1);
    }

    void rejects_corrupt_files_data() {
        QTest::addColumn<QString>("damage");
        QTest::addColumn<QString>("expected");
        QTest::newRow("bad magic") << "magic" << "bad magic number";
        QTest::newRow("truncated data") << "truncate" << "(truncated)";
        QTest::newRow("extra data") << "extra" << "expected 12 data bytes";
        QTest::newRow("int32 elements") << "type" << "unsupported IDX element type";
        QTest::newRow("corrupt gzip stream") << "gzip-flip" << "corrupt gzip data";
        QTest::newRow("gzip cut short") << "gzip-cut" << "corrupt gzip data";
        QTest::newRow("missing file") << "missing" << "cannot open";
    }
    void rejects_corrupt_files() {
        QFETCH(QString, damage);
        QFETCH(QString, expected);
        QTemporaryDir dir;
        const std::string path = dir.filePath("bad.idx.gz").toStdString();
        auto bytes = idx_bytes({3, 2, 2}, 0);
        if (damage == "magic") bytes[1] = 7;
        if (damage == "truncate") bytes.resize(bytes.size() - 3);
        if (damage == "extra") bytes.push_back(1);
        if (damage == "type") bytes[2] = 0x0c;
        if (damage.startsWith("gzip")) {
            auto big = idx_bytes({200, 28, 28}, 3);
            write_gz(path, big);
            auto gz = read_all(path);
            if (damage == "gzip-flip")
                for (size_t i = gz.size() / 2; i < gz.size() / 2 + 16; ++i) gz[i] ^= 0x5a;
            else
                gz.resize(gz.size() / 2);
            write_plain(path, gz);
        } else if (damage != "missing") {
            write_gz(path, bytes);
        }
        try {
            tp::data::read_idx(path);
            QFAIL("no error");
        } catch (const tp::FormatError& e) {
            QVERIFY2(QString::fromStdString(e.what()).contains(expected), e.what());
            QVERIFY2(QString::fromStdString(e.what()).contains("bad.idx.gz"), e.what());
        }
    }

    void fashion_mnist_checks_labels_against_images() {
        QTemporaryDir dir;
        const std::string d = dir.path().toStdString();
        write_gz(d + "/t10k-images-idx3-ubyte.gz", idx_bytes({4, 28, 28}, 0));
        write_gz(d + "/t10k-labels-idx1-ubyte.gz", idx_bytes({3}, 0));
        try {
            tp::data::FashionMnist::load(d, "test");
            QFAIL("no error");
        } catch (const tp::FormatError& e) {
            QVERIFY2(QString(e.what()).contains("3 labels for 4 images"), e.what());
        }
        write_gz(d + "/t10k-labels-idx1-ubyte.gz", idx_bytes({4}, 8));  // labels 8, 9, 10, 11
        try {
            tp::data::FashionMnist::load(d, "test");
            QFAIL("no error");
        } catch (const tp::FormatError& e) {
            QVERIFY2(QString(e.what()).contains("label 10 at index 2"), e.what());
        }
    }

    // The real data set from Debian's dataset-fashion-mnist package.
    void reads_debian_fashion_mnist() {
        auto test = tp::data::FashionMnist::load(tp::data::default_fashion_mnist_dir(), "test");
        QCOMPARE(test.size(), size_t(10000));
        std::vector<int> per_class(10, 0);
        for (int l : test.labels()) ++per_class[static_cast<size_t>(l)];
        for (int n : per_class) QCOMPARE(n, 1000);
        auto img = test.image(0);
        QCOMPARE(img.height, 28);
        QCOMPARE(img.channels, 1);
        QCOMPARE(test.label(0), 9);  // the first test image is an ankle boot
    }
};

QTEST_GUILESS_MAIN(TstRuntimeIdx)
#include "tst_formats_idx.moc"
