// Which machine a latency belongs to (issue 27): what counts as a difference, what only changes the
// state, what cannot be confirmed, and the key machine records are filed under.
#include <QtTest>

#include "core/model/machine_identity.h"
#include "core/model/machine_identity_json.h"

using namespace tp;

namespace {

MachineIdentity base() {
    MachineIdentity m;
    m.kind = "cpu";
    m.device = "AMD EPYC (2 CPUs)";
    m.cpu_signature = "family 26 model 2 stepping 1";
    m.hostname = "vm";
    m.machine_id = "bc0e511604c53216";
    m.kernel = "Linux 6.18.44";
    m.blas = "OpenBLAS 0.3.21 Haswell";
    m.torch_version = "1.13.0";
    m.torch_threads = 1;
    m.blas_threads = 1;
    m.clock_mhz = 2600;
    return m;
}

}  // namespace

class TestMachineIdentity : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void comparison_data() {
        QTest::addColumn<QString>("change");
        QTest::addColumn<bool>("sameMachine");
        QTest::addColumn<QString>("differs");  // the field named, "" for none
        QTest::newRow("identical") << "" << true << "";
        QTest::newRow("another host of the same name") << "machine_id" << false << "machine id";
        QTest::newRow("another CPU stepping") << "signature" << false << "cpu signature";
        QTest::newRow("another CPU model") << "device" << false << "device";
        QTest::newRow("LibTorch upgraded: same machine, other state") << "torch" << true << "LibTorch";
        QTest::newRow("other thread count") << "threads" << true << "LibTorch threads";
        QTest::newRow("another BLAS core type") << "blas" << true << "blas";
        QTest::newRow("clock 5% lower: not a difference") << "clock5" << true << "";
        QTest::newRow("clock 20% lower") << "clock20" << true << "clock";
        QTest::newRow("machine id not recorded: cannot confirm") << "no_id" << false << "";
        QTest::newRow("torch version not recorded: not a difference") << "no_torch" << true << "";
    }
    void comparison() {
        QFETCH(QString, change);
        QFETCH(bool, sameMachine);
        QFETCH(QString, differs);
        const MachineIdentity a = base();
        MachineIdentity b = base();
        if (change == "machine_id") b.machine_id = "0000000000000000";
        if (change == "signature") b.cpu_signature = "family 25 model 1 stepping 1";
        if (change == "device") b.device = "Intel Xeon (2 CPUs)";
        if (change == "torch") b.torch_version = "2.1.0";
        if (change == "threads") b.torch_threads = 2;
        if (change == "blas") b.blas = "OpenBLAS 0.3.21 Zen";
        if (change == "clock5") b.clock_mhz = 2470;
        if (change == "clock20") b.clock_mhz = 2080;
        if (change == "no_id") b.machine_id.clear();
        if (change == "no_torch") b.torch_version.clear();
        const IdentityComparison c = compare_identities(a, b);
        QCOMPARE(c.same_machine, sameMachine);
        QCOMPARE(same_machine(a, b), sameMachine);
        if (differs.isEmpty()) {
            QVERIFY2(c.differences.empty(), describe_differences(c).c_str());
        } else {
            QCOMPARE(c.differences.size(), std::size_t(1));
            QCOMPARE(QString::fromStdString(c.differences[0].field), differs);
            QVERIFY(describe_differences(c).find("→") != std::string::npos);
        }
        if (change == "no_id") QVERIFY(describe_differences(c).find("machine id not recorded") != std::string::npos);
    }

    void keyIsStableFileSafeAndPerMachine() {
        const MachineIdentity a = base();
        MachineIdentity same_machine_other_state = base();
        same_machine_other_state.torch_version = "2.1.0";
        same_machine_other_state.torch_threads = 4;
        MachineIdentity other = base();
        other.machine_id = "ffffffffffffffff";
        QCOMPARE(machine_key(a), machine_key(same_machine_other_state));
        QVERIFY(machine_key(a) != machine_key(other));
        const std::string key = machine_key(a);
        QVERIFY2(key.rfind("cpu-amd-epyc-2-cpus-vm-", 0) == 0, key.c_str());
        for (char c : key) QVERIFY(std::isalnum(static_cast<unsigned char>(c)) || c == '-');
        MachineIdentity hostile = base();
        hostile.device = "../../etc/passwd; rm -rf /";
        hostile.hostname = "a/b\\c";
        for (char c : machine_key(hostile)) QVERIFY(std::isalnum(static_cast<unsigned char>(c)) || c == '-');
    }

    void fromAProfilesDeviceAndSettings() {
        DeviceInfo d;
        d.kind = "cpu";
        d.name = "AMD EPYC (2 CPUs)";
        d.host = "local";
        d.torch_version = "1.13.0";
        d.blas = "OpenBLAS";
        d.sm_clock_mhz = 2596;
        d.extra = {{"hostname", "vm"}, {"kernel", "Linux 6.18"}, {"machine_id", "abc"}, {"cpu_signature", "family 26"}};
        MeasurementSettings s;
        s.torch_threads = 2;
        s.blas_threads = 2;
        s.environment["OPENBLAS_CORETYPE"] = "Haswell";
        const MachineIdentity m = identity_of(d, s);
        QCOMPARE(m.hostname, std::string("vm"));
        QCOMPARE(m.machine_id, std::string("abc"));
        QCOMPARE(m.core_type, std::string("Haswell"));
        QCOMPARE(m.torch_threads, 2);
        // A device reached over SSH is named by its destination when it recorded no hostname.
        d.extra.erase("hostname");
        d.host = "nvidia@jetson";
        QCOMPARE(identity_of(d, s).hostname, std::string("nvidia@jetson"));
    }

    void fromAnAgentsHello() {
        const std::string hello = R"({"protocol":3,"torch":"1.13.0",
            "devices":[{"device":"cpu","kind":"cpu","name":"AMD EPYC","sm_count":2},{"device":"cuda:0","kind":"cuda","name":"NVIDIA H100"}],
            "host":{"hostname":"vm","kernel":"Linux 6.18","machine_id":"abc","cpu_signature":"family 26","blas":"OpenBLAS","gpu_driver":"550.1"}})";
        const MachineIdentity cpu = identity_from_hello(hello, "cpu");
        QCOMPARE(cpu.device, std::string("AMD EPYC (2 CPUs)"));  // as a profile names the CPU
        QCOMPARE(cpu.machine_id, std::string("abc"));
        QCOMPARE(cpu.torch_version, std::string("1.13.0"));
        QCOMPARE(cpu.driver, std::string());
        const MachineIdentity gpu = identity_from_hello(hello, "cuda");
        QCOMPARE(gpu.device, std::string("NVIDIA H100"));
        QCOMPARE(gpu.driver, std::string("550.1"));
        QCOMPARE(gpu.blas, std::string());
        // An older agent without the new host fields: what it has, nothing invented.
        const MachineIdentity old = identity_from_hello(R"({"torch":"1.13.0","host":{"hostname":"vm"}})", "cpu");
        QCOMPARE(old.hostname, std::string("vm"));
        QVERIFY(old.machine_id.empty());
        QVERIFY(identity_from_hello("not json", "cpu").hostname.empty());
    }

    void thisMachineDescribesItself() {
        const MachineIdentity here = this_machine("cpu");
        QCOMPARE(here.kind, std::string("cpu"));
        QVERIFY(!here.device.empty());
        QVERIFY(here.device.find(" CPUs)") != std::string::npos);
        QVERIFY(compare_identities(here, here).same_machine || here.machine_id.empty());
    }

    void jsonRoundTrip() {
        const MachineIdentity m = base();
        const nlohmann::json j = to_json(m);
        const MachineIdentity back = machine_identity_from_json(JsonReader(j, "/machine"));
        QCOMPARE(machine_key(back), machine_key(m));
        QVERIFY(compare_identities(m, back).differences.empty());
        QCOMPARE(back.clock_mhz, 2600.0);
    }
};

QTEST_APPLESS_MAIN(TestMachineIdentity)
#include "tst_machine_identity.moc"
