#include <QTemporaryDir>
#include <QTest>

#include <fstream>

#include "core/util/format_error.h"
#include "core/util/sha256.h"

using namespace tp;

class TestSha256 : public QObject {
    Q_OBJECT
private Q_SLOTS:
    // FIPS 180-4 / NIST example digests; every input is also fed in chunks of 1, 63 and 65 bytes so
    // the streaming buffer's block boundaries are crossed in every way.
    void knownDigests_data() {
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<QString>("digest");
        QTest::newRow("empty") << QByteArray() << "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        QTest::newRow("abc") << QByteArray("abc") << "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        QTest::newRow("two blocks (56 bytes)")
            << QByteArray("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
            << "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1";
        QTest::newRow("112 bytes")
            << QByteArray("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu")
            << "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1";
        QTest::newRow("one million a") << QByteArray(1000000, 'a')
                                       << "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";
    }
    void knownDigests() {
        QFETCH(QByteArray, input);
        QFETCH(QString, digest);
        QCOMPARE(QString::fromStdString(sha256_hex(input.toStdString())), digest);
        for (int chunk : {1, 63, 65}) {
            Sha256 h;
            for (int i = 0; i < input.size(); i += chunk) h.update(input.constData() + i, std::min(chunk, int(input.size()) - i));
            QCOMPARE(QString::fromStdString(h.hex_digest()), digest);
        }
    }

    void fileDigestEqualsContentDigest() {
        QTemporaryDir dir;
        const std::string path = dir.filePath("weights.bin").toStdString();
        std::string content(3 * (1 << 20) + 17, '\0');  // spans several read chunks
        for (std::size_t i = 0; i < content.size(); ++i) content[i] = static_cast<char>(i * 131 + 7);
        std::ofstream(path, std::ios::binary) << content;
        QCOMPARE(sha256_file_hex(path), sha256_hex(content));
    }

    void missingFileIsOneError() {
        QTemporaryDir dir;
        const std::string path = dir.filePath("absent.safetensors").toStdString();
        try {
            sha256_file_hex(path);
            QFAIL("no error for a missing file");
        } catch (const FormatError& e) {
            QCOMPARE(QString::fromStdString(e.where()), QString::fromStdString(path));
        }
    }
};

QTEST_GUILESS_MAIN(TestSha256)
#include "tst_sha256.moc"
