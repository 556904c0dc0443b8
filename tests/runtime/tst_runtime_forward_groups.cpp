// Which scopes share a timed forward: plain scopes share one (every block at n), deployed cuts and
// pruning ops get their own, and on CUDA the whole model is timed with no events inside its forward.
#include <QtTest>

#include "core/model/scope.h"
#include "core/runtime/profiler_bench.h"

using namespace tp;
using namespace tp::runtime;

Q_DECLARE_METATYPE(tp::runtime::ForwardGroup::Kind)

class TstRuntimeForwardGroups : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void groupOfEachScope_data() {
        QTest::addColumn<QString>("scope");
        QTest::addColumn<QString>("device");
        QTest::addColumn<ForwardGroup::Kind>("kind");
        QTest::addColumn<bool>("alone");
        using K = ForwardGroup::Kind;
        QTest::newRow("model on the CPU shares the blocks' forward") << "model" << "cpu" << K::Plain << false;
        QTest::newRow("model on CUDA is timed alone") << "model" << "cuda" << K::Plain << true;
        QTest::newRow("model on cuda:1 is timed alone") << "model" << "cuda:1" << K::Plain << true;
        QTest::newRow("block on CUDA shares") << "block:3" << "cuda" << K::Plain << false;
        QTest::newRow("attention half on CUDA shares") << "attn:3" << "cuda:0" << K::Plain << false;
        QTest::newRow("fixed part on CUDA shares") << "fixed:embed" << "cuda" << K::Plain << false;
        QTest::newRow("deployed cut") << "deployed:5" << "cpu" << K::Deployed << false;
        QTest::newRow("pruning op") << "prune:tome:3:197" << "cuda" << K::Prune << false;
    }
    void groupOfEachScope() {
        QFETCH(QString, scope);
        QFETCH(QString, device);
        QFETCH(ForwardGroup::Kind, kind);
        QFETCH(bool, alone);
        const Scope s = parse_scope(scope.toStdString());
        agent::TimingSpec timing;
        timing.device = device.toStdString();
        QCOMPARE(forward_kind(s), kind);
        QCOMPARE(times_alone(s, timing), alone);
    }
};

QTEST_GUILESS_MAIN(TstRuntimeForwardGroups)
#include "tst_runtime_forward_groups.moc"
