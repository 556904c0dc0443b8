#pragma once
// A real OpenSSH server for one test: 127.0.0.1 at a free high port, its own host key, a client
// key in authorized_keys, `UsePAM no`, absolute paths everywhere (sshd re-executes itself), and an
// ssh_config + known_hosts for the client side. Nothing else is ever connected to.
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QThread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

class TestSshd {
public:
    // Empty when it runs; otherwise why it could not start (the test skips with that reason).
    QString start(int port = 0) {
        if (!dir_.isValid()) return "no temporary folder";
        if (!QFile::exists(sshd_)) return "no " + sshd_ + " (install openssh-server)";
        QDir().mkpath("/run/sshd");
        if (!QFile::exists(hostKey()) && !keygen(hostKey(), "")) return "ssh-keygen failed for the host key";
        if (!QFile::exists(clientKey()) && !keygen(clientKey(), "")) return "ssh-keygen failed for the client key";
        QFile::remove(path("authorized_keys"));
        QFile::copy(clientKey() + ".pub", path("authorized_keys"));
        port_ = port ? port : freePort();
        QFile cfg(path("sshd_config"));
        if (!cfg.open(QIODevice::WriteOnly | QIODevice::Truncate)) return "cannot write sshd_config";
        cfg.write(QString("Port %1\nListenAddress 127.0.0.1\nHostKey %2\nAuthorizedKeysFile %3\nPidFile %4\n"
                          "UsePAM no\nStrictModes no\nPasswordAuthentication no\nKbdInteractiveAuthentication no\n"
                          "PermitRootLogin prohibit-password\nPrintMotd no\nLogLevel VERBOSE\nMaxStartups 50\n"
                          "MaxSessions 50\nSubsystem sftp internal-sftp\n")
                      .arg(port_)
                      .arg(hostKey(), path("authorized_keys") + " " + extraAuthorizedKeys(), path("sshd.pid"))
                      .toUtf8());
        cfg.close();
        process_.setProgram(sshd_);
        process_.setArguments({"-D", "-f", path("sshd_config"), "-E", path("sshd.log")});
        process_.start();
        if (!process_.waitForStarted(5000)) return "sshd did not start: " + process_.errorString();
        for (int i = 0; i < 100; ++i) {
            if (accepts(port_)) return {};
            if (process_.state() == QProcess::NotRunning) break;
            QThread::msleep(50);
        }
        QFile log(path("sshd.log"));
        log.open(QIODevice::ReadOnly);
        return "sshd did not listen on 127.0.0.1:" + QString::number(port_) + ": " + QString::fromUtf8(log.readAll()).right(400);
    }
    void stop() {
        if (process_.state() != QProcess::NotRunning) {
            process_.terminate();
            if (!process_.waitForFinished(3000)) {
                process_.kill();
                process_.waitForFinished(2000);
            }
        }
    }
    ~TestSshd() { stop(); }

    // A new host key (the "reinstalled device" case); takes effect at the next start().
    bool regenerateHostKey() {
        QFile::remove(hostKey());
        QFile::remove(hostKey() + ".pub");
        return keygen(hostKey(), "");
    }
    // A client key with a passphrase, accepted by the server too.
    QString passphraseKey(const QString& passphrase) {
        const QString key = path("client_pass_key");
        if (!QFile::exists(key)) keygen(key, passphrase);
        return key;
    }

    int port() const { return port_; }
    QString path(const QString& name) const { return dir_.filePath(name); }
    QString clientKey() const { return path("client_key"); }
    QString hostKey() const { return path("host_key"); }
    QString knownHosts() const { return path("known_hosts"); }
    QString sshConfig() {
        // The device's own ssh_config: no user or system config leaks into the test.
        const QString file = path("ssh_config");
        QFile f(file);
        f.open(QIODevice::WriteOnly | QIODevice::Truncate);
        f.write("Host *\n  LogLevel ERROR\n");
        return file;
    }
    QString log() const {
        QFile f(path("sshd.log"));
        f.open(QIODevice::ReadOnly);
        return QString::fromUtf8(f.readAll());
    }

    // A port on 127.0.0.1 that nothing listens on right now.
    static int freePort() {
        const int fd = socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a = loopback(0);
        socklen_t len = sizeof a;
        int port = 0;
        if (fd >= 0 && bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
            getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0)
            port = ntohs(a.sin_port);
        if (fd >= 0) close(fd);
        return port;
    }
    static bool accepts(int port) {
        const int fd = socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a = loopback(port);
        const bool ok = fd >= 0 && ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
        if (fd >= 0) close(fd);
        return ok;
    }

private:
    static sockaddr_in loopback(int port) {
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(static_cast<uint16_t>(port));
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        return a;
    }
    QString extraAuthorizedKeys() const { return path("authorized_keys_pass"); }
    bool keygen(const QString& file, const QString& passphrase) {
        QProcess p;
        p.start("ssh-keygen", {"-q", "-t", "ed25519", "-N", passphrase, "-C", "tailprune-test", "-f", file});
        if (!p.waitForFinished(10000) || p.exitCode() != 0) return false;
        if (file.endsWith("client_pass_key")) {
            QFile::remove(extraAuthorizedKeys());
            QFile::copy(file + ".pub", extraAuthorizedKeys());
        }
        return true;
    }

    QTemporaryDir dir_{QDir::tempPath() + "/tp-sshd-XXXXXX"};
    QString sshd_ = "/usr/sbin/sshd";
    QProcess process_;
    int port_ = 0;
};
