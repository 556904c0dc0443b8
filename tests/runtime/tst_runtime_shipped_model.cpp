// The model shipped in resources/models reaches the accuracy its card states, on the full
// Fashion-MNIST test set (10,000 images, ~10 s on one core), and its card describes it.
#include <QCryptographicHash>
#include <QFile>
#include <QtTest>

#include "core/runtime/vit_runner.h"

using namespace tp::runtime;

class TstRuntimeShippedModel : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void shipped_model_reaches_its_stated_accuracy_data() {
        QTest::addColumn<QString>("weights");
        QTest::newRow("fmnist_vit8") << QString(TAILPRUNE_SOURCE_DIR) + "/resources/models/fmnist_vit8/fmnist_vit8.safetensors";
    }
    void shipped_model_reaches_its_stated_accuracy() {
        QFETCH(QString, weights);
        const auto info = describe_model(weights.toStdString());
        QVERIFY(info.has_card);
        const auto& a = info.card.architecture;
        QVERIFY2(a.depth >= 8, "the shipped model must be at least 8 blocks deep");
        QVERIFY2(a.tokens >= 50, "the shipped model must have at least 50 tokens");
        QVERIFY(info.card.results && info.card.training);
        QCOMPARE(info.card.results->test_images, 10000);
        QVERIFY2(info.card.results->test_top1 >= 0.88, "the card states less than 88% test top-1");
        QFile file(weights);  // the weights' identity, checked against Qt's own SHA-256
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(QString::fromStdString(a.weights_hash),
                 QString::fromLatin1(QCryptographicHash::hash(file.readAll(), QCryptographicHash::Sha256).toHex()));

        EvaluateOptions o;
        o.weights = weights.toStdString();
        o.split = "test";
        o.batch = 250;  // the batch the trainer measured with: the same sums, the same predictions
        o.threads = 1;
        const auto r = evaluate_model(o);
        QCOMPARE(r.images, 10000L);
        QVERIFY2(std::abs(r.top1 - info.card.results->test_top1) < 0.0015,
                 qPrintable(QString("measured %1, card %2").arg(r.top1).arg(info.card.results->test_top1)));
        QVERIFY(r.top1 >= 0.88);
        QVERIFY2(std::abs(r.top5 - info.card.results->test_top5) < 0.0015, qPrintable(QString::number(r.top5)));
    }
};

QTEST_GUILESS_MAIN(TstRuntimeShippedModel)
#include "tst_runtime_shipped_model.moc"
