// The Qt-free pieces of the SSH transport, without a network: quoting (checked by a real /bin/sh),
// the device list reader, ssh's argv, exit classification, the client handshake, request writers.
#include <QProcess>
#include <QtTest>

#include <csignal>

#include "core/agent/client_protocol.h"
#include "core/agent/requests.h"
#include "core/util/format_error.h"
#include "core/remote/child_process.h"
#include "core/remote/connection_error.h"
#include "core/remote/device_list.h"
#include "core/remote/shell_quote.h"
#include "core/remote/ssh_command.h"

using nlohmann::json;
using namespace tp;

namespace {

remote::DeviceEntry jetson() {
    remote::DeviceEntry d;
    d.name = "jetson";
    d.user = "nvidia";
    d.host = "192.0.2.7";
    d.port = 2222;
    d.agent = "/opt/tailprune/bin/tailprune";
    return d;
}

}  // namespace

class RemoteUnits : public QObject {
    Q_OBJECT
private Q_SLOTS:
    // A child that is gone (ssh refused at once) makes a write fail, never a SIGPIPE that ends us,
    // whatever our own SIGPIPE disposition is (the studio's tests keep the default).
    void writeToAGoneChildFailsQuietly() {
        const auto previous = std::signal(SIGPIPE, SIG_DFL);
        auto child = remote::ChildProcess::start({"true"});
        QVERIFY(child.wait_for(10000).has_value());
        QVERIFY(!child.write_all(std::string(1 << 20, 'x')));
        sigset_t pending;
        sigpending(&pending);
        QVERIFY(!sigismember(&pending, SIGPIPE));
        std::signal(SIGPIPE, previous);
    }

    void quotingSurvivesTheShell_data() {
        QTest::addColumn<QString>("word");
        QTest::newRow("plain") << "/opt/tailprune/bin/tailprune";
        QTest::newRow("spaces") << "/data/my models/a b.safetensors";
        QTest::newRow("single quotes") << "/data/it's 'quoted'";
        QTest::newRow("double quotes and backslash") << "/d/\"x\"\\y";
        QTest::newRow("command substitution") << "/d/$(touch /tmp/tailprune-pwned)`id`";
        QTest::newRow("separators") << "/d/a;touch /tmp/tailprune-pwned&&b|c>d";
        QTest::newRow("newline") << "/d/line1\nline2";
        QTest::newRow("glob and tilde") << "~/*.json ?";
        QTest::newRow("empty") << "";
    }
    void quotingSurvivesTheShell() {
        QFETCH(QString, word);
        // printf %s WORD in a real POSIX shell must print the word back unchanged.
        const std::string line = "printf %s " + remote::shell_quote(word.toStdString());
        QProcess sh;
        sh.start("/bin/sh", {"-c", QString::fromStdString(line)});
        QVERIFY(sh.waitForFinished(5000));
        QCOMPARE(QString::fromUtf8(sh.readAllStandardOutput()), word);
        QVERIFY(!QFile::exists("/tmp/tailprune-pwned"));
    }

    void deviceListReader_data() {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("error");  // empty: valid
        const QString head = R"({"format":"tailprune-devices","format_version":1,"devices":[)";
        QTest::newRow("valid") << head + R"({"name":"jetson","host":"10.0.0.7","user":"nvidia","port":22,"agent":"/opt/t/tailprune","env":{"LD_LIBRARY_PATH":"/usr/local/cuda/lib64"},"jump":"bastion","notes":"lab"}]})" << "";
        QTest::newRow("empty list") << head + "]}" << "";
        QTest::newRow("unknown field") << head + R"({"name":"a","host":"h","agent":"/t","colour":"red"}]})" << "colour";
        QTest::newRow("bad name") << head + R"({"name":"a b","host":"h","agent":"/t"}]})" << "not a device name";
        QTest::newRow("host starts with dash") << head + R"({"name":"a","host":"-oProxyCommand=x","agent":"/t"}]})" << "not a host name";
        QTest::newRow("user starts with dash") << head + R"({"name":"a","host":"h","user":"-x","agent":"/t"}]})" << "not a user name";
        QTest::newRow("shell in host") << head + R"({"name":"a","host":"h;reboot","agent":"/t"}]})" << "not a host name";
        QTest::newRow("relative agent") << head + R"({"name":"a","host":"h","agent":"bin/tailprune"}]})" << "absolute path";
        // Added before `device install` built one there: valid, and connecting says how to install.
        QTest::newRow("no agent yet") << head + R"({"name":"a","host":"h"}]})" << "";
        QTest::newRow("no host") << head + R"({"name":"a","agent":"/t"}]})" << "needs a host";
        QTest::newRow("duplicate") << head + R"({"name":"a","host":"h","agent":"/t"},{"name":"a","host":"g","agent":"/t"}]})" << "listed twice";
        QTest::newRow("local is built in") << head + R"({"name":"local","transport":"local"}]})" << "built in";
        QTest::newRow("bad port") << head + R"({"name":"a","host":"h","agent":"/t","port":70000}]})" << "port";
        QTest::newRow("bad env name") << head + R"({"name":"a","host":"h","agent":"/t","env":{"A B":"x"}}]})" << "environment variable";
        QTest::newRow("wrong format") << R"({"format":"x","format_version":1,"devices":[]})" << "format";
    }
    void deviceListReader() {
        QFETCH(QString, text);
        QFETCH(QString, error);
        QTemporaryDir dir;
        const QString path = dir.filePath("devices.json");
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(text.toUtf8());
        f.close();
        try {
            remote::DeviceList list = remote::load_device_list(path.toStdString());
            QVERIFY2(error.isEmpty(), "expected an error");
            // Written back and read again: the same entries.
            remote::save_device_list(list, path.toStdString());
            QCOMPARE(remote::to_json(remote::load_device_list(path.toStdString())), remote::to_json(list));
        } catch (const FormatError& e) {
            QVERIFY2(!error.isEmpty(), e.what());
            QVERIFY2(QString(e.what()).contains(error), e.what());
            QVERIFY2(QString(e.what()).contains("devices.json"), e.what());  // names the file
        }
    }

    void missingListMeansOnlyLocal() {
        QTemporaryDir dir;
        const std::string path = dir.filePath("none.json").toStdString();
        QVERIFY(remote::load_device_list(path).devices.empty());
        QCOMPARE(QString::fromStdString(remote::find_device("local", path).transport), QString("local"));
        try {
            remote::find_device("jetson", path);
            QFAIL("no error for an unknown device");
        } catch (const FormatError& e) {
            QVERIFY2(QString(e.what()).contains("known: local"), e.what());
        }
    }

    void sshArgv() {
        remote::DeviceEntry d = jetson();
        d.identity_file = "/home/me/.ssh/id_jetson";
        d.env = {{"LD_LIBRARY_PATH", "/usr/local/cuda/lib64"}};
        remote::SshOptions o;
        QTemporaryDir dir;
        o.control_dir = dir.filePath("c").toStdString();
        const auto argv = remote::ssh_argv(d, o, {"agent"});
        const QStringList a = [&] {
            QStringList l;
            for (const auto& s : argv) l << QString::fromStdString(s);
            return l;
        }();
        QCOMPARE(a.first(), QString("ssh"));
        QVERIFY(a.contains("-T"));
        QVERIFY(a.contains("StrictHostKeyChecking=accept-new"));
        QVERIFY(a.contains("BatchMode=yes"));  // no askpass given
        QVERIFY(a.contains("ControlMaster=auto"));
        QVERIFY(a.contains("PasswordAuthentication=no"));
        const int dashdash = a.indexOf("--");
        QVERIFY(dashdash > 0);
        QCOMPARE(a.at(dashdash + 1), QString("nvidia@192.0.2.7"));
        QCOMPARE(a.at(dashdash + 2), QString("'env' 'LD_LIBRARY_PATH=/usr/local/cuda/lib64' '/opt/tailprune/bin/tailprune' 'agent'"));
        QCOMPARE(dashdash + 3, a.size());  // nothing after the remote command
        QCOMPARE(a.at(a.indexOf("-p") + 1), QString("2222"));
        // The control socket folder is private, and its path short enough for a Unix socket.
        QFileInfo info(QString::fromStdString(o.control_dir));
        QVERIFY(info.isDir());
        QCOMPARE(int(info.permissions() & (QFile::ReadGroup | QFile::ReadOther | QFile::WriteOther)), 0);
        QVERIFY(remote::control_path(d, "/tmp/tailprune-ssh-0").size() < 60);
        // Askpass: BatchMode off, SSH_ASKPASS forced through the environment.
        o.askpass = "/usr/bin/tailprune";
        const auto with_askpass = remote::ssh_argv(d, o, {"agent"});
        QVERIFY(std::find(with_askpass.begin(), with_askpass.end(), "BatchMode=no") != with_askpass.end());
        const auto env = remote::ssh_environment(o);
        QCOMPARE(QString::fromStdString(env.at("SSH_ASKPASS_REQUIRE")), QString("force"));
        QCOMPARE(QString::fromStdString(remote::known_hosts_name(d)), QString("[192.0.2.7]:2222"));
    }

    void classifyExit_data() {
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("stderrText");
        QTest::addColumn<bool>("afterHandshake");
        QTest::addColumn<QString>("kind");
        QTest::newRow("refused") << 255 << "ssh: connect to host 127.0.0.1 port 9: Connection refused\n" << false << "refused";
        QTest::newRow("key changed") << 255 << "@@@ WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED! @@@\nHost key verification failed.\n" << false << "host_key_changed";
        QTest::newRow("auth") << 255 << "root@127.0.0.1: Permission denied (publickey).\n" << false << "authentication";
        QTest::newRow("dns") << 255 << "ssh: Could not resolve hostname nowhere: Name or service not known\n" << false << "unreachable";
        QTest::newRow("timeout") << 255 << "ssh: connect to host 192.0.2.1 port 22: Connection timed out\n" << false << "unreachable";
        QTest::newRow("dropped during work") << 255 << "Timeout, server 127.0.0.1 not responding.\n" << true << "link_lost";
        QTest::newRow("no agent") << 127 << "sh: 1: /opt/x/tailprune: not found\n" << false << "agent_missing";
        QTest::newRow("not executable") << 126 << "Permission denied\n" << false << "agent_not_executable";
        QTest::newRow("agent died") << 134 << "terminate called\n" << true << "agent_exited";
    }
    void classifyExit() {
        QFETCH(int, status);
        QFETCH(QString, stderrText);
        QFETCH(bool, afterHandshake);
        QFETCH(QString, kind);
        const auto e = remote::classify_exit(status, stderrText.toStdString(), afterHandshake, "device 'x'", "/opt/x/tailprune", true);
        QCOMPARE(QString(remote::to_string(e.kind)), kind);
        QVERIFY(QString(e.what()).startsWith("device 'x'"));
        QCOMPARE(remote::retryable(e.kind), kind == "link_lost");
    }

    void handshake_data() {
        QTest::addColumn<QString>("line");
        QTest::addColumn<QString>("outcome");
        QTest::newRow("rc-file noise") << "Welcome to Ubuntu 20.04 (GNU/Linux 5.10.104-tegra aarch64)" << "not yet";
        QTest::newRow("json noise") << R"({"hello":"from .bashrc"})" << "not yet";
        QTest::newRow("another id") << R"({"v":2,"id":"other","event":"done","result":{"protocol":2,"nonce":"n1"}})" << "not yet";
        QTest::newRow("ready") << R"({"v":2,"id":"h","event":"done","result":{"protocol":2,"nonce":"n1","agent":"tailprune 0.1.0"}})" << "ready";
        QTest::newRow("wrong nonce") << R"({"v":2,"id":"h","event":"done","result":{"protocol":2,"nonce":"zz"}})" << "failed";
        QTest::newRow("v1 agent refuses v2") << R"x({"v":1,"id":"h","event":"error","code":"unsupported_version","message":"protocol version 2 is not supported (this agent speaks 1)"})x" << "upgrade";
        QTest::newRow("v1 result") << R"({"v":1,"id":"h","event":"done","result":{"protocol":1}})" << "upgrade";
        // A hostile device: an answer nested a million deep is dropped unparsed (the client lives on).
        QTest::newRow("deep answer") << QString(R"({"v":2,"id":"h","event":"done","result":{"protocol":2,"nonce":"n1","x":)") +
                                            QString(1000000, '[') + QString(1000000, ']') + "}}"
                                     << "not yet";
    }
    void handshake() {
        QFETCH(QString, line);
        QFETCH(QString, outcome);
        const auto h = agent::check_hello_line(line.toStdString(), "h", "n1", "at device 'x'");
        const char* names[] = {"not yet", "ready", "upgrade", "failed"};
        QCOMPARE(QString(names[static_cast<int>(h.kind)]), outcome);
        if (outcome == "upgrade") QVERIFY2(QString::fromStdString(h.message).contains("upgrade the agent"), h.message.c_str());
    }

    void requestWritersRoundTrip() {
        agent::ProfileRequest p;
        p.model.preset = "deit_tiny";
        p.scopes = {parse_scope("model"), parse_scope("block:3"), parse_scope("prune:topk:2:197")};
        p.tokens = "1..197:8";
        p.coarse_step = 4;
        p.timing.rounds = 2;
        p.timing.threads = 2;
        p.timing.stopping.min_samples = 7;
        p.seed = 9;
        p.shuffle = false;
        const json sent = agent::to_json(p);
        QCOMPARE(agent::to_json(agent::profile_request_from_json(sent)), sent);

        agent::EvaluateRequest e;
        e.model.weights = "/data/w x.safetensors";
        e.schedule.model.name = "m";
        e.schedule.model.depth = 2;
        e.schedule.model.tokens = 10;
        e.schedule.method = "topk";
        e.schedule.tokens_after_block = {10, 6};
        e.seed = 3;
        e.limit = 100;
        e.split = "holdout";
        e.data_dir = "/d";
        const json esent = agent::to_json(e);
        QCOMPARE(agent::to_json(agent::evaluate_request_from_json(esent)), esent);
    }
};

QTEST_GUILESS_MAIN(RemoteUnits)
#include "tst_remote_units.moc"
