// Pinning a process to one CPU (core/platform/cpu_affinity.h), as bench_runtime_vs_pytorch does for
// both sides of its comparison: the pin is in effect, children started afterwards inherit it, and a
// CPU that is not there is refused with a message naming it.
#include <QProcess>
#include <QtTest>

#include <sched.h>

#include "core/platform/cpu_affinity.h"

using namespace tp::platform;

class CpuAffinityTest : public QObject {
    Q_OBJECT
    cpu_set_t original_;

private Q_SLOTS:
    void init() { QVERIFY(sched_getaffinity(0, sizeof(original_), &original_) == 0); }
    void cleanup() { QVERIFY(sched_setaffinity(0, sizeof(original_), &original_) == 0); }

    void pinIsInEffect_data() {
        QTest::addColumn<QString>("which");
        QTest::newRow("first allowed CPU") << "first";
        QTest::newRow("last allowed CPU") << "last";
    }
    void pinIsInEffect() {
        QFETCH(QString, which);
        const std::vector<int> before = allowed_cpus();
        QVERIFY(!before.empty());
        const int cpu = which == "first" ? before.front() : before.back();
        pin_to_cpu(cpu);
        QCOMPARE(allowed_cpus(), std::vector<int>{cpu});
        QCOMPARE(QString::fromStdString(affinity_description()), QString("CPU %1").arg(cpu));
        // A child started now runs on that CPU alone (it reads its own affinity list).
        QProcess child;
        child.start("/bin/sh", {"-c", "grep Cpus_allowed_list /proc/self/status"});
        QVERIFY(child.waitForFinished(10000));
        QCOMPARE(QString::fromUtf8(child.readAllStandardOutput()).section(':', 1).trimmed(), QString::number(cpu));
    }

    void badCpuRefused_data() {
        QTest::addColumn<int>("cpu");
        QTest::addColumn<QString>("message");
        QTest::newRow("negative") << -1 << "CPU -1 does not exist";
        QTest::newRow("beyond the set") << CPU_SETSIZE << QString("CPU %1 does not exist").arg(CPU_SETSIZE);
        QTest::newRow("not on this machine") << CPU_SETSIZE - 1 << QString("cannot pin to CPU %1").arg(CPU_SETSIZE - 1);
    }
    void badCpuRefused() {
        QFETCH(int, cpu);
        QFETCH(QString, message);
        const std::vector<int> before = allowed_cpus();
        try {
            pin_to_cpu(cpu);
            QFAIL("no error");
        } catch (const std::runtime_error& e) {
            QVERIFY2(QString(e.what()).startsWith(message), e.what());
        }
        QCOMPARE(allowed_cpus(), before);  // nothing changed
    }

    void descriptionOfRanges() {
        const std::vector<int> cpus = allowed_cpus();
        const QString text = QString::fromStdString(affinity_description());
        if (cpus.size() == 1) QCOMPARE(text, QString("CPU %1").arg(cpus[0]));
        else QVERIFY2(text.startsWith("CPUs " + QString::number(cpus.front())), qPrintable(text));
    }
};

QTEST_GUILESS_MAIN(CpuAffinityTest)
#include "tst_cpu_affinity.moc"
