// `device install`'s parts without ssh (issue 22): the probe's parser and the real probe script run
// here, the install script's lock, cancel, incremental copy and atomic switch run here under a
// private HOME, and the build log's classification. The real build over a real sshd is
// tst_agent_install.
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>
#include <filesystem>
#include <thread>

#include <sys/utsname.h>
#include <unistd.h>

#include "core/remote/agent_install.h"
#include "core/remote/agent_install_scripts.h"
#include "core/remote/agent_probe.h"
#include "core/remote/child_process.h"

using namespace tp;
using remote::InstallEvent;

namespace {

struct ScriptRun {
    int status = -1;
    QString out;
};

// Runs one of the scripts with `sh -c SCRIPT sh ARGS...`, as ssh does on a device, with HOME set.
ScriptRun runScript(const std::string& script, const std::vector<std::string>& args, const QString& home,
                    int timeout_ms = 60000) {
    std::vector<std::string> argv{"sh", "-c", script, "sh"};
    argv.insert(argv.end(), args.begin(), args.end());
    auto child = remote::ChildProcess::start(argv, {{"HOME", home.toStdString()}});
    child.close_stdin();
    std::string out, err;
    ScriptRun r;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    for (;;) {
        remote::read_available(child.stdout_fd(), out);
        remote::read_available(child.stderr_fd(), err);
        if (auto s = child.try_wait()) {
            remote::read_available(child.stdout_fd(), out);
            r.status = *s;
            break;
        }
        if (std::chrono::steady_clock::now() > deadline) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    r.out = QString::fromStdString(out + err);
    return r;
}

QString machine() {
    utsname u{};
    uname(&u);
    return QString::fromLocal8Bit(u.machine);
}
QString nodeName() {
    utsname u{};
    uname(&u);
    return QString::fromLocal8Bit(u.nodename);
}

void writeFile(const QString& path, const QByteArray& text, bool executable = false) {
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write(text);
    f.close();
    if (executable) f.setPermissions(f.permissions() | QFileDevice::ExeOwner);
}

// A bundle of two files packed like cmake/make_agent_bundle.cmake does, at HOME/incoming/NAME.
QString makeBundle(const QString& home, const QString& name, const QByteArray& source) {
    const QString src = home + "/pack/tailprune-agent-src";
    QDir(home + "/pack").removeRecursively();
    writeFile(src + "/bundle.json", R"({"format":"tailprune-agent-bundle","id":"0.1.0-test"})");
    writeFile(src + "/core/a.cpp", source);
    QDir().mkpath(home + "/incoming");
    QProcess tar;
    tar.start("tar", {"czf", home + "/incoming/" + name, "-C", home + "/pack", "tailprune-agent-src"});
    tar.waitForFinished();
    return "incoming/" + name;
}

// A stand-in for cmake: the configure records its pid (and with `slow` sleeps, for cancel); the
// build puts HOME/fake-agent in place, whose self-check prints `selfcheck` and fails when it says
// "ok":false.
QString fakeCmake(const QString& home, const QByteArray& selfcheck, bool slow) {
    writeFile(home + "/selfcheck.json", selfcheck + "\n");
    writeFile(home + "/fake-agent",
              "#!/bin/sh\ncat \"$HOME/selfcheck.json\"\ngrep -q '\"ok\":false' \"$HOME/selfcheck.json\" && exit 1\nexit 0\n", true);
    const QString path = home + "/fake-cmake";
    writeFile(path,
              QByteArray("#!/bin/sh\necho $$ > \"$HOME/cmake.pid\"\n") + (slow ? "sleep 60\n" : "") +
                  "if [ \"$1\" = --build ]; then\n  mkdir -p \"$2/app\" && cp \"$HOME/fake-agent\" \"$2/app/tailprune\"\n"
                  "  echo '[1/1] Linking CXX executable app/tailprune'\nfi\nexit 0\n",
              true);
    return path;
}

std::vector<std::string> installArgs(const QString& bundle, const QString& cmake, int timeout_s = 7200) {
    return {"install", bundle.toStdString(), "0.1.0-test", machine().toStdString(), "1", std::to_string(timeout_s),
            cmake.toStdString(), ""};
}

}  // namespace

class TestAgentInstallUnits : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void probeParser_data() {
        QTest::addColumn<QString>("output");
        QTest::addColumn<QStringList>("missing");  // substrings, one per expected missing line
        QTest::addColumn<QString>("torchPrefix");
        QTest::addColumn<int>("jobs");
        const QString debian = "tp-probe: arch=x86_64\ntp-probe: home=/home/u\ntp-probe: glibc=glibc 2.36\n"
                               "tp-probe: nproc=8\ntp-probe: mem_kb=16384000\ntp-probe: disk_free_kb=50000000\n"
                               "tp-probe: cxx=/usr/bin/c++\ntp-probe: cxx_version=c++ (Debian 12.2.0-14) 12.2.0\n"
                               "tp-probe: cxx_id=gcc\ntp-probe: cxx_major=12\ntp-probe: cmake=/usr/bin/cmake\n"
                               "tp-probe: cmake_version=3.25.1\ntp-probe: ninja=/usr/bin/ninja\ntp-probe: tar=/usr/bin/tar\n"
                               "tp-probe: torch_system=/usr/lib/x86_64-linux-gnu/cmake\n"
                               "tp-probe: header:zlib.h=/usr/include/zlib.h\n";
        QTest::newRow("Debian with libtorch-dev") << debian + "tp-probe: end=ok\n" << QStringList{} << "" << 8;
        QTest::newRow("login noise before the probe")
            << "Welcome to Ubuntu 22.04\n * Documentation: ...\n" + debian + "tp-probe: end=ok\n" << QStringList{} << "" << 8;
        const QString jetson = "tp-probe: arch=aarch64\ntp-probe: home=/home/nvidia\ntp-probe: nproc=6\n"
                               "tp-probe: mem_kb=7800000\ntp-probe: cxx=/usr/bin/c++\ntp-probe: cxx_id=gcc\n"
                               "tp-probe: cxx_major=11\ntp-probe: cmake=/home/nvidia/.local/bin/cmake\n"
                               "tp-probe: cmake_version=3.27.7\ntp-probe: make=/usr/bin/make\ntp-probe: tar=/bin/tar\n"
                               "tp-probe: torch_python=/usr/local/lib/python3.10/dist-packages/torch/share/cmake\n"
                               "tp-probe: torch_python_version=2.1.0a0+41361538.nv23.06\ntp-probe: torch_python_cuda=1\n"
                               "tp-probe: header:zlib.h=/usr/include/zlib.h\n"
                               "tp-probe: jetson=# R35 (release), REVISION: 4.1\ntp-probe: end=ok\n";
        QTest::newRow("Jetson with JetPack's PyTorch")
            << jetson << QStringList{} << "/usr/local/lib/python3.10/dist-packages/torch/share/cmake" << 4;
        QString oldCmake = jetson;
        oldCmake.replace("cmake_version=3.27.7", "cmake_version=3.16.3");
        QTest::newRow("CMake too old") << oldCmake << QStringList{"is 3.16.3 (pip3 install --user cmake"} << "" << 4;
        QString bare = debian;
        bare.remove(QRegularExpression("tp-probe: (cxx|cmake|torch_system|ninja|header:zlib.h)[^\n]*\n"));
        QTest::newRow("bare machine")
            << bare + "tp-probe: end=ok\n" << QStringList{"C++17 compiler", "CMake 3.22", "build tool", "LibTorch", "zlib"}
            << "" << 8;
        QTest::newRow("probe cut short") << debian << QStringList{"did not finish"} << "" << 8;
        QString tight = debian;
        tight.replace("disk_free_kb=50000000", "disk_free_kb=300000");
        QTest::newRow("little disk") << tight + "tp-probe: end=ok\n" << QStringList{"disk space"} << "" << 8;
    }
    void probeParser() {
        QFETCH(QString, output);
        QFETCH(QStringList, missing);
        QFETCH(QString, torchPrefix);
        QFETCH(int, jobs);
        const remote::DeviceProbe p = remote::parse_device_probe(output.toStdString());
        QString all;
        for (const auto& m : p.missing) all += QString::fromStdString(m) + "\n";
        QCOMPARE(int(p.missing.size()), int(missing.size()));
        for (const auto& m : missing) QVERIFY2(all.contains(m), qPrintable(all));
        if (!torchPrefix.isEmpty() || p.torch_source.find("python") != std::string::npos)
            QCOMPARE(QString::fromStdString(p.torch_prefix), torchPrefix.isEmpty() ? QString::fromStdString(p.torch_prefix) : torchPrefix);
        QCOMPARE(remote::suggested_build_jobs(p), jobs);
        QVERIFY(!remote::describe_probe(p).empty());
    }

    void versions_data() {
        QTest::addColumn<QString>("version");
        QTest::addColumn<bool>("enough");
        QTest::newRow("equal") << "3.22" << true;
        QTest::newRow("patch") << "3.22.1" << true;
        QTest::newRow("older minor") << "3.16.3" << false;
        QTest::newRow("newer minor") << "3.100.0" << true;
        QTest::newRow("newer major") << "4.0.1" << true;
        QTest::newRow("major only, newer") << "4" << true;
        QTest::newRow("major only, same") << "3" << false;
        QTest::newRow("rc suffix") << "3.28.0-rc2" << true;
        QTest::newRow("garbage") << "cmake" << false;
        QTest::newRow("empty") << "" << false;
    }
    void versions() {
        QFETCH(QString, version);
        QFETCH(bool, enough);
        QCOMPARE(remote::version_at_least(version.toStdString(), 3, 22), enough);
    }

    // The real probe script under this machine's sh: it must finish and find what CI has.
    void probeScriptRunsHere() {
        QTemporaryDir home;
        const ScriptRun r = runScript(remote::agent_probe_script(), {}, home.path());
        QCOMPARE(r.status, 0);
        const remote::DeviceProbe p = remote::parse_device_probe(r.out.toStdString());
        QVERIFY2(p.complete, qPrintable(r.out));
        QCOMPARE(QString::fromStdString(p.arch), machine());
        QCOMPARE(QString::fromStdString(p.home), home.path());
        QVERIFY2(!p.cxx.empty() && !p.cmake.empty(), qPrintable(r.out));
        QVERIFY2(p.missing.empty() || QString::fromStdString(p.missing.front()).contains("LibTorch"), qPrintable(r.out));
    }

    void installLines_data() {
        QTest::addColumn<QString>("line");
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("text");
        QTest::addColumn<int>("done");
        QTest::addColumn<int>("total");
        QTest::newRow("ninja") << "[12/150] Building CXX object core/x.o" << "progress" << "[12/150] Building CXX object core/x.o" << 12 << 150;
        QTest::newRow("make") << "[ 45%] Building CXX object core/x.o" << "progress" << "[ 45%] Building CXX object core/x.o" << 45 << 100;
        QTest::newRow("compiler output") << "core/x.cpp:3:1: warning: unused" << "log" << "core/x.cpp:3:1: warning: unused" << 0 << 0;
        QTest::newRow("stage") << "tp-install: stage build" << "stage" << "build" << 0 << 0;
        QTest::newRow("note") << "tp-install: note 3 changed file(s)" << "note" << "3 changed file(s)" << 0 << 0;
        QTest::newRow("done") << "tp-install: done /h/.cache/tailprune/agent/x/bin/tailprune" << "done"
                              << "/h/.cache/tailprune/agent/x/bin/tailprune" << 0 << 0;
        QTest::newRow("error") << "tp-install: error the build failed" << "error" << "the build failed" << 0 << 0;
        QTest::newRow("self-check") << R"(tp-install: selfcheck {"ok":true})" << "self_check" << R"({"ok":true})" << 0 << 0;
        QTest::newRow("ninja's glob check") << "[0/2] Re-checking globbed directories..." << "log"
                                            << "[0/2] Re-checking globbed directories..." << 0 << 0;
        QTest::newRow("carriage return") << "[1/2] Linking\r" << "progress" << "[1/2] Linking" << 1 << 2;
    }
    void installLines() {
        QFETCH(QString, line);
        QFETCH(QString, kind);
        QFETCH(QString, text);
        QFETCH(int, done);
        QFETCH(int, total);
        const InstallEvent e = remote::parse_install_line(line.toStdString());
        QCOMPARE(QString(remote::to_string(e.kind)), kind);
        QCOMPARE(QString::fromStdString(e.text), text);
        QCOMPARE(e.done, done);
        QCOMPARE(e.total, total);
    }
    void selfCheckThatIsNotJson() {
        const InstallEvent e = remote::parse_install_line("tp-install: selfcheck error while loading shared libraries");
        QCOMPARE(e.kind, InstallEvent::Kind::SelfCheck);
        QCOMPARE(e.self_check.value("ok", true), false);
    }

    void findBundle_data() {
        QTest::addColumn<QByteArray>("manifest");  // empty: no manifest file
        QTest::addColumn<bool>("tarball");
        QTest::addColumn<QString>("error");
        QTest::newRow("good") << QByteArray(R"({"format":"tailprune-agent-bundle","id":"0.1.0-abc","version":"0.1.0"})") << true << "";
        QTest::newRow("no tarball") << QByteArray(R"({"format":"tailprune-agent-bundle","id":"0.1.0-abc"})") << false
                                    << "no agent source bundle";
        QTest::newRow("no manifest") << QByteArray() << true << "unreadable";
        QTest::newRow("not json") << QByteArray("{") << true << "unreadable";
        QTest::newRow("other format") << QByteArray(R"({"format":"x","id":"a"})") << true << "not an agent bundle";
        QTest::newRow("id with a slash") << QByteArray(R"({"format":"tailprune-agent-bundle","id":"../x"})") << true << "bad id";
    }
    void findBundle() {
        QFETCH(QByteArray, manifest);
        QFETCH(bool, tarball);
        QFETCH(QString, error);
        QTemporaryDir dir;
        const QString base = dir.filePath("tailprune-agent-0.1.0-src");
        if (tarball) writeFile(base + ".tar.gz", "x");
        if (!manifest.isEmpty()) writeFile(base + ".json", manifest);
        try {
            const remote::AgentBundle b = remote::find_agent_bundle("/nowhere", (base + ".tar.gz").toStdString());
            QVERIFY2(error.isEmpty(), "expected an error");
            QCOMPARE(QString::fromStdString(b.id), QString("0.1.0-abc"));
        } catch (const std::exception& e) {
            QVERIFY2(!error.isEmpty(), e.what());
            QVERIFY2(QString(e.what()).contains(error), e.what());
        }
    }

    // The lock: a folder made with mkdir; taken over only when stale.
    void lock_data() {
        QTest::addColumn<QString>("owner");   // the owner line; %H this host, %P a live pid, %N now
        QTest::addColumn<int>("ageS");        // the lock folder's age when there is no owner line
        QTest::addColumn<QString>("expect");  // "busy" or the takeover reason
        QTest::newRow("live install here") << "%H %P %P %N" << 0 << "busy";
        QTest::newRow("dead install here") << "%H 999999 999999 %N" << 0 << "process 999999";
        QTest::newRow("recent install elsewhere") << "other-host 42 42 %N" << 0 << "busy";
        QTest::newRow("old install elsewhere") << "other-host 42 42 %O" << 0 << "more than the build's timeout";
        QTest::newRow("old lock without owner") << "" << 100000 << "more than the build's timeout";
    }
    void lock() {
        QFETCH(QString, owner);
        QFETCH(int, ageS);
        QFETCH(QString, expect);
        QTemporaryDir home;
        const QString root = home.path() + "/.cache/tailprune/agent";
        const QString lockDir = root + "/.lock-" + machine();
        QVERIFY(QDir().mkpath(lockDir));
        const qint64 now = QDateTime::currentSecsSinceEpoch();
        if (!owner.isEmpty()) {
            owner.replace("%H", nodeName()).replace("%P", QString::number(getpid()));
            owner.replace("%N", QString::number(now)).replace("%O", QString::number(now - 100000));
            writeFile(lockDir + "/owner", owner.toUtf8() + "\n");
        } else {
            std::filesystem::last_write_time(lockDir.toStdString(),
                                             std::filesystem::file_time_type::clock::now() - std::chrono::seconds(ageS));
        }
        const QString bundle = makeBundle(home.path(), "b.tar.gz", "int a;\n");
        // The fake cmake fails the configure: the run stops right after the lock and the unpack.
        writeFile(home.path() + "/failing-cmake", "#!/bin/sh\nexit 1\n", true);
        const ScriptRun r = runScript(remote::agent_install_script(), installArgs(bundle, home.path() + "/failing-cmake"),
                                      home.path());
        QCOMPARE(r.status, 1);
        QVERIFY2(r.out.contains(expect), qPrintable(r.out));
        if (expect == "busy") {
            QVERIFY2(QFile::exists(lockDir), "a live lock is left alone");
        } else {
            QVERIFY2(r.out.contains("taking over a stale lock"), qPrintable(r.out));
            QVERIFY2(r.out.contains("configure failed"), qPrintable(r.out));
            QVERIFY2(!QFile::exists(lockDir), "the lock is released when the install ends");
        }
    }

    // Install twice with the stand-in cmake: the switch is one symlink, the second run copies no file.
    void installSwitchesAtomically() {
        QTemporaryDir home;
        const QString root = home.path() + "/.cache/tailprune/agent";
        const QString cmake = fakeCmake(home.path(), R"({"ok":true,"agent":"tailprune 0.1.0"})", false);
        const QString target = root + "/0.1.0-test-" + machine();
        for (int round = 0; round < 2; ++round) {
            const QString bundle = makeBundle(home.path(), QString("b%1.tar.gz").arg(round), "int a;\n");
            const ScriptRun r = runScript(remote::agent_install_script(), installArgs(bundle, cmake), home.path());
            QVERIFY2(r.status == 0, qPrintable(r.out));
            QVERIFY2(r.out.contains("tp-install: done " + target + "/bin/tailprune"), qPrintable(r.out));
            QVERIFY2(r.out.contains(round == 0 ? "note 2 changed file(s)" : "note 0 changed file(s)"), qPrintable(r.out));
            QVERIFY2(r.out.contains(R"(tp-install: selfcheck {"ok":true)"), qPrintable(r.out));
            QVERIFY(QFileInfo(target).isSymLink());
            QVERIFY(QFileInfo(target + "/bin/tailprune").isExecutable());
            QVERIFY(QFile::exists(target + "/self-check.json"));
            QVERIFY2(!QFile::exists(home.path() + "/" + bundle), "the uploaded bundle is removed");
            // One version folder only; no stage, no lock, no link left behind.
            QStringList left = QDir(root).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot);
            left.sort();
            QCOMPARE(left.filter(".v-").size(), 1);
            QCOMPARE(left.filter(".stage-").size(), 0);
            QCOMPARE(left.filter(".lock-").size(), 0);
            QCOMPARE(left.filter(".link-").size(), 0);
        }
    }

    void failedSelfCheckInstallsNothing() {
        QTemporaryDir home;
        const QString cmake = fakeCmake(home.path(), R"({"ok":false,"error":"cannot load libtorch_cpu.so"})", false);
        const QString bundle = makeBundle(home.path(), "b.tar.gz", "int a;\n");
        const ScriptRun r = runScript(remote::agent_install_script(), installArgs(bundle, cmake), home.path());
        QCOMPARE(r.status, 1);
        QVERIFY2(r.out.contains("self-check failed") && r.out.contains("libtorch_cpu.so"), qPrintable(r.out));
        QVERIFY(!QFileInfo::exists(home.path() + "/.cache/tailprune/agent/0.1.0-test-" + machine()));
    }

    // Cancel ends the build on the device: the lock's owner's process group is sent TERM.
    void cancelEndsTheBuild() {
        QTemporaryDir home;
        const QString cmake = fakeCmake(home.path(), R"({"ok":true})", true);
        const QString bundle = makeBundle(home.path(), "b.tar.gz", "int a;\n");
        std::vector<std::string> argv{"sh", "-c", remote::agent_install_script(), "sh"};
        for (const auto& a : installArgs(bundle, cmake)) argv.push_back(a);
        auto install = remote::ChildProcess::start(argv, {{"HOME", home.path().toStdString()}});
        install.close_stdin();
        const QString pidFile = home.path() + "/cmake.pid";
        QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(pidFile), 20000);  // the "build" is running
        QFile f(pidFile);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const pid_t cmakePid = f.readAll().trimmed().toInt();
        QVERIFY(cmakePid > 0);
        const ScriptRun cancel = runScript(remote::agent_install_script(), {"cancel", machine().toStdString()}, home.path());
        QCOMPARE(cancel.status, 0);
        QVERIFY2(cancel.out.contains("cancelled (process"), qPrintable(cancel.out));
        const auto status = install.wait_for(10000);
        QVERIFY2(status.has_value(), "the install ended");
        QVERIFY(*status != 0);
        QTRY_VERIFY_WITH_TIMEOUT(::kill(cmakePid, 0) != 0, 5000);  // its build process is gone too
        QVERIFY(!QFile::exists(home.path() + "/.cache/tailprune/agent/.lock-" + machine()));
        const ScriptRun again = runScript(remote::agent_install_script(), {"cancel", machine().toStdString()}, home.path());
        QVERIFY2(again.out.contains("no install was running"), qPrintable(again.out));
    }
};

QTEST_GUILESS_MAIN(TestAgentInstallUnits)
#include "tst_agent_install_units.moc"
