// The CPU thread counts the runtime runs with (issue 30): the count asked for (or the documented
// default) is the one in effect for LibTorch's intra-op pool, its inter-op pool and OpenBLAS, also
// when OPENBLAS_NUM_THREADS / OMP_NUM_THREADS in the environment say otherwise, and profiles and
// evaluations record it. Correctness only: no timings are checked.
//
// The environment is read when OpenBLAS and LibTorch start, so the conflicting-environment rows run
// this same executable again as a child (`tst_runtime_threads --probe N`), which prints the counts
// in effect before and after use_cpu_threads(N) as one JSON line.
#include <cstdio>
#include <cstring>
#include <string>

#include <QCoreApplication>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include "train_fixtures.h"
#include "core/model/profile_json.h"
#include "core/platform/timing_environment.h"
#include "core/runtime/cpu_threads.h"

using tp::runtime::CpuThreads;

namespace {

const QString kShipped = QString(TAILPRUNE_SOURCE_DIR) + "/resources/models/fmnist_vit8/fmnist_vit8.safetensors";

int probe(int threads) {
    const CpuThreads before = tp::runtime::cpu_threads_in_effect();
    const CpuThreads after = tp::runtime::use_cpu_threads(threads);
    const CpuThreads later = tp::runtime::cpu_threads_in_effect();
    std::printf("{\"before\":{\"intra_op\":%d,\"blas\":%d},\"after\":{\"intra_op\":%d,\"inter_op\":%d,\"blas\":%d},"
                "\"later\":{\"intra_op\":%d,\"inter_op\":%d,\"blas\":%d}}\n",
                before.intra_op, before.blas, after.intra_op, after.inter_op, after.blas, later.intra_op, later.inter_op,
                later.blas);
    return 0;
}

QProcessEnvironment conflicting(const QString& blas, const QString& omp) {
    auto env = QProcessEnvironment::systemEnvironment();
    env.insert("OPENBLAS_NUM_THREADS", blas);
    env.insert("OMP_NUM_THREADS", omp);
    return env;
}

train_fixtures::Run run(const QString& program, const QStringList& args, const QProcessEnvironment& env) {
    QProcess p;
    p.setProcessEnvironment(env);
    p.start(program, args);
    p.waitForFinished(120000);
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAllStandardOutput(), p.readAllStandardError()};
}

}  // namespace

class TstRuntimeThreads : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() {
        QVERIFY2(tp::platform::blas_threads().has_value(),
                 "the runtime is not linked against OpenBLAS (libopenblas0-pthread): BLAS threads cannot be set");
    }

    // In this process: each request is what the runtime, LibTorch and OpenBLAS report afterwards.
    void asked_for_is_in_effect_data() {
        QTest::addColumn<int>("asked");
        QTest::addColumn<int>("expected");
        QTest::newRow("2 threads") << 2 << 2;
        QTest::newRow("1 thread") << 1 << 1;
        QTest::newRow("3 threads (more than this machine may have)") << 3 << 3;
        QTest::newRow("0 = the documented default") << 0 << tp::runtime::kDefaultCpuThreads;
    }
    void asked_for_is_in_effect() {
        QFETCH(int, asked);
        QFETCH(int, expected);
        const CpuThreads t = tp::runtime::use_cpu_threads(asked);
        QCOMPARE(t.intra_op, expected);
        QCOMPARE(t.blas, expected);
        QCOMPARE(t.inter_op, tp::runtime::kInterOpThreads);
        // Read again, independently: OpenBLAS's own getter (dlsym) and LibTorch's.
        QCOMPARE(tp::platform::blas_threads().value_or(-1), expected);
        const CpuThreads now = tp::runtime::cpu_threads_in_effect();
        QCOMPARE(now.intra_op, expected);
        QCOMPARE(now.inter_op, tp::runtime::kInterOpThreads);
        QVERIFY(!tp::runtime::describe(now).empty());
    }

    // OPENBLAS_NUM_THREADS / OMP_NUM_THREADS set to something else: the process starts with those
    // counts ("before") and runs with the one asked for once the runtime set it.
    void environment_does_not_override_data() {
        QTest::addColumn<int>("asked");
        QTest::addColumn<QString>("env");
        QTest::newRow("1 asked, environment 2") << 1 << "2";
        QTest::newRow("2 asked, environment 1") << 2 << "1";
        QTest::newRow("1 asked, environment 4") << 1 << "4";
    }
    void environment_does_not_override() {
        QFETCH(int, asked);
        QFETCH(QString, env);
        const auto r = run(QCoreApplication::applicationFilePath(), {"--probe", QString::number(asked)}, conflicting(env, env));
        QVERIFY2(r.code == 0, r.err.constData());
        const auto j = QJsonDocument::fromJson(r.out).object();
        QVERIFY2(!j.isEmpty(), r.out.constData());
        // The environment was in force and disagreed (OpenBLAS caps its start-up count at the cores).
        QCOMPARE(j["before"].toObject()["intra_op"].toInt(), env.toInt());
        QVERIFY(j["before"].toObject()["blas"].toInt() != asked);
        for (const char* when : {"after", "later"}) {
            const auto t = j[when].toObject();
            QCOMPARE(t["intra_op"].toInt(), asked);
            QCOMPARE(t["blas"].toInt(), asked);
            QCOMPARE(t["inter_op"].toInt(), tp::runtime::kInterOpThreads);
        }
    }

    // End to end: `tailprune evaluate --json` reports the counts it ran with, under a conflicting
    // environment, for an explicit --threads and for the default.
    void evaluate_records_its_threads_data() {
        QTest::addColumn<QString>("threads");
        QTest::addColumn<int>("expected");
        QTest::newRow("--threads 1") << "1" << 1;
        QTest::newRow("--threads 2") << "2" << 2;
        QTest::newRow("default") << "" << tp::runtime::kDefaultCpuThreads;
    }
    void evaluate_records_its_threads() {
        QFETCH(QString, threads);
        QFETCH(int, expected);
        QStringList args{"evaluate", "--weights", kShipped, "--limit", "20", "--batch", "10", "--json", "--quiet"};
        if (!threads.isEmpty()) args << "--threads" << threads;
        const QString env = expected == 2 ? "1" : "2";
        const auto r = run(qEnvironmentVariable("TAILPRUNE_CLI"), args, conflicting(env, env));
        QVERIFY2(r.code == 0, r.err.constData());
        const auto t = QJsonDocument::fromJson(r.out).object()["threads"].toObject();
        QVERIFY2(!t.isEmpty(), r.out.constData());
        QCOMPARE(t["intra_op"].toInt(), expected);
        QCOMPARE(t["blas"].toInt(), expected);
        QCOMPARE(t["inter_op"].toInt(), tp::runtime::kInterOpThreads);
    }

    // A profile records the counts it was measured with (settings and environment), and the
    // allocator settings the runtime applied.
    void profile_records_its_threads() {
        QTemporaryDir dir;
        const QString out = dir.filePath("p.json");
        const auto r = run(qEnvironmentVariable("TAILPRUNE_CLI"),
                           {"profile", "--weights", kShipped, "--scope", "model", "--tokens", "26,50", "--threads", "1",
                            "-o", out, "-q", "--rounds", "1", "--warmup", "1", "--min-samples", "3", "--min-time", "0.01",
                            "--noise", "0.5", "--timeout", "0.3"},
                           conflicting("2", "2"));
        QVERIFY2(r.code == 0, r.err.constData());
        const tp::Profile p = tp::load_profile(out.toStdString());
        QCOMPARE(p.settings.torch_threads, 1);
        QCOMPARE(p.settings.blas_threads, 1);
        QCOMPARE(QString::fromStdString(p.settings.environment.at("torch_interop_threads")), QString("1"));
        QCOMPARE(QString::fromStdString(p.settings.environment.at("OPENBLAS_NUM_THREADS")), QString("2"));  // recorded as found
        QVERIFY2(QString::fromStdString(p.settings.environment.at("malloc")).startsWith("mallopt M_MMAP_THRESHOLD="),
                 p.settings.environment.at("malloc").c_str());
    }
};

int main(int argc, char** argv) {
    if (argc == 3 && std::strcmp(argv[1], "--probe") == 0) return probe(std::atoi(argv[2]));
    QCoreApplication app(argc, argv);
    TstRuntimeThreads t;
    return QTest::qExec(&t, argc, argv);
}
#include "tst_runtime_threads.moc"
