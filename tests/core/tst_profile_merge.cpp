// Merging separately swept profiles of one setup: the curves of all, one clear error naming the
// part and the field when they are not comparable.
#include <QtTest>

#include "core/util/format_error.h"
#include "core/model/profile_merge.h"

using namespace tp;

namespace {

Profile part(const std::vector<std::string>& scopes, const std::string& date) {
    Profile p;
    p.device.name = "AMD EPYC (2 CPUs)";
    p.device.kind = "cpu";
    p.device.host = "local";
    p.device.blas = "OpenBLAS 0.3.21 DYNAMIC_ARCH Haswell";
    p.device.torch_version = "1.13.1";
    p.model.name = "fmnist_vit8";
    p.model.depth = 8;
    p.model.tokens = 50;
    p.settings.date = date;
    for (const auto& name : scopes) {
        Curve c;
        c.scope = parse_scope(name);
        c.name = name;
        for (int n = 1; n <= 49; n += 4) {
            CurvePoint pt;
            pt.tokens = n;
            pt.samples = 5;
            pt.median_ms = pt.mean_ms = pt.p10_ms = pt.p90_ms = pt.min_ms = 0.1 + 0.001 * n;
            c.points.push_back(pt);
        }
        p.curves.push_back(c);
    }
    return p;
}

}  // namespace

class TestProfileMerge : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void mergesCurvesOfOneSetup() {
        Profile blocks = part({"model", "block:0", "attn:0"}, "2026-11-23T10:00:00Z");
        Profile ops = part({"prune:topk:3:50", "prune:zerotprune:0:50"}, "2026-11-23T11:00:00Z");
        ops.settings.stopping.target_rel_noise = 0.05;  // ops use a looser rule: allowed, and recorded
        const Profile merged = merge_profiles({{"blocks.json", blocks}, {"ops.json", ops}});
        QCOMPARE(int(merged.curves.size()), 5);
        QVERIFY(merged.find_curve("attn:0") && merged.find_curve("prune:zerotprune:0:50"));
        QCOMPARE(merged.settings.date, blocks.settings.date);
        const std::string from = merged.settings.environment.at("merged_from");
        QVERIFY2(from.find("blocks.json (2026-11-23T10:00:00Z") != std::string::npos, from.c_str());
        QVERIFY2(from.find("ops.json (2026-11-23T11:00:00Z, 2 curves, noise target 0.05") != std::string::npos, from.c_str());
    }

    void incompatiblePartsNameFileAndField_data() {
        QTest::addColumn<QString>("change");
        QTest::addColumn<QString>("field");
        QTest::newRow("another device") << "device" << "ops.json: /device";
        QTest::newRow("another BLAS kernel") << "blas" << "ops.json: /device/blas";
        QTest::newRow("another LibTorch") << "torch" << "ops.json: /device/torch_version";
        QTest::newRow("another dtype") << "dtype" << "ops.json: /model/dtype";
        QTest::newRow("other weights") << "weights" << "ops.json: /model/weights_hash";
        QTest::newRow("another batch") << "batch" << "ops.json: /model/batch";
        QTest::newRow("eager against graphs") << "mode" << "ops.json: /settings/mode";
        QTest::newRow("another thread count") << "threads" << "ops.json: /settings/torch_threads";
        QTest::newRow("the same curve twice") << "curve" << "ops.json: /curves/model";
    }
    void incompatiblePartsNameFileAndField() {
        QFETCH(QString, change);
        QFETCH(QString, field);
        const Profile blocks = part({"model", "block:0"}, "a");
        Profile ops = part({"prune:topk:3:50"}, "b");
        if (change == "device") ops.device.name = "Jetson Orin";
        if (change == "blas") ops.device.blas = "OpenBLAS 0.3.21 DYNAMIC_ARCH Cooperlake";
        if (change == "torch") ops.device.torch_version = "2.11.0";
        if (change == "dtype") ops.model.dtype = "fp16";
        if (change == "weights") ops.model.weights_hash = "abc";
        if (change == "batch") ops.model.batch = 8;
        if (change == "mode") ops.settings.mode = "eager";
        if (change == "threads") ops.settings.torch_threads = 2;
        if (change == "curve") ops = part({"model"}, "b");
        try {
            merge_profiles({{"blocks.json", blocks}, {"ops.json", ops}});
            QFAIL("merged incomparable profiles");
        } catch (const FormatError& e) {
            QVERIFY2(QString(e.what()).startsWith(field), e.what());
        }
    }

    void oneProfileIsNotAMerge() {
        QVERIFY_THROWS_EXCEPTION(FormatError, merge_profiles({{"only.json", part({"model"}, "a")}}));
    }
};

QTEST_GUILESS_MAIN(TestProfileMerge)
#include "tst_profile_merge.moc"
