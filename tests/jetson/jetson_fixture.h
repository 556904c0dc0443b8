#pragma once
// A sysfs tree imitating a Jetson AGX Orin's (JetPack 5, L4T 35) in a temporary folder, for the
// agent to read with TAILPRUNE_SYSFS_ROOT, and the fake nvpmodel / jetson_clocks / sudo of
// tests/jetson/fake_bin first on PATH. The files are the real ones' names and formats: devfreq
// frequencies in Hz, load in per mille, temperatures in milli-degrees Celsius.
#include <QDir>
#include <QFile>
#include <QProcessEnvironment>
#include <QSaveFile>
#include <QTemporaryDir>

#include <unistd.h>

class JetsonFixture {
public:
    static constexpr const char* kGpu = "sys/devices/platform/17000000.ga10b";
    static constexpr const char* kDevfreq = "sys/devices/platform/17000000.ga10b/devfreq/17000000.ga10b";

    JetsonFixture() {
        // Other devfreq nodes first (they sort before the GPU's), as on a real Orin.
        for (const char* other : {"15340000.vic", "158c0000.nvdla0"}) {
            const QString dir = QString("sys/devices/platform/%1/devfreq/%1").arg(other);
            write(dir + "/cur_freq", "115200000");
            write(dir + "/governor", "nvhost_podgov");
            link(QString("../../devices/platform/%1/devfreq/%1").arg(other), QString("sys/class/devfreq/") + other);
            link(QString("../../../%1").arg(other), dir + "/device");
        }
        write(QString(kGpu) + "/load", "0");
        write(QString(kDevfreq) + "/available_frequencies",
              "306000000 408000000 510000000 612000000 714000000 816000000 918000000 1020000000 1122000000 "
              "1224000000 1300500000");
        write(QString(kDevfreq) + "/available_governors", "nvhost_podgov userspace performance simple_ondemand");
        write(QString(kDevfreq) + "/polling_interval", "0");
        write(QString(kDevfreq) + "/target_freq", "1300500000");
        link("../../../17000000.ga10b", QString(kDevfreq) + "/device");
        link("../../devices/platform/17000000.ga10b/devfreq/17000000.ga10b", "sys/class/devfreq/17000000.ga10b");
        setLocked(1300500000);
        const char* zones[] = {"cpu-thermal", "gpu-thermal", "cv0-thermal", "cv1-thermal", "cv2-thermal",
                               "soc0-thermal", "soc1-thermal", "soc2-thermal", "tj-thermal", "tboard_tegra"};
        for (int i = 0; i < 10; ++i) {
            const QString z = QString("sys/class/thermal/thermal_zone%1").arg(i);
            write(z + "/type", zones[i]);
            write(z + "/temp", QString::number(40000 + 500 * i));
            write(z + "/trip_point_0_type", "passive");
            write(z + "/trip_point_0_temp", "99000");
            write(z + "/trip_point_1_type", "critical");
            write(z + "/trip_point_1_temp", "104500");
        }
        write("sys/class/thermal/cooling_device0/type", "pwm-fan");
        setPowerMode("MAXN", 0);
        write("fake/calls.log", "");
    }

    QString root() const { return dir_.path(); }
    QString path(const QString& rel) const { return dir_.filePath(rel); }
    static QString fakeBin() { return QString(TAILPRUNE_SOURCE_DIR) + "/tests/jetson/fake_bin"; }
    QString clocksDir() const { return dir_.filePath("state/clocks"); }

    void write(const QString& rel, const QString& text) const {
        const QString p = dir_.filePath(rel);
        QDir().mkpath(QFileInfo(p).path());
        QSaveFile f(p);  // whole or not at all: the agent reads these files while the test writes them
        f.open(QIODevice::WriteOnly);
        f.write(text.toUtf8() + "\n");
        f.commit();
    }
    QString read(const QString& rel) const {
        QFile f(dir_.filePath(rel));
        f.open(QIODevice::ReadOnly);
        return QString::fromUtf8(f.readAll()).trimmed();
    }
    void link(const QString& target, const QString& rel) const {
        const QString p = dir_.filePath(rel);
        QDir().mkpath(QFileInfo(p).path());
        QFile::remove(p);
        (void)::symlink(target.toLocal8Bit().constData(), p.toLocal8Bit().constData());
    }

    void setGpu(long long cur, long long min, long long max, const QString& governor = "nvhost_podgov") const {
        write(QString(kDevfreq) + "/cur_freq", QString::number(cur));
        write(QString(kDevfreq) + "/min_freq", QString::number(min));
        write(QString(kDevfreq) + "/max_freq", QString::number(max));
        write(QString(kDevfreq) + "/governor", governor);
    }
    void setLocked(long long hz) const { setGpu(hz, hz, hz); }
    void setUnlocked(long long cur) const { setGpu(cur, 306000000, 1300500000); }
    void setTemp(int zone, long long milli) const {
        write(QString("sys/class/thermal/thermal_zone%1/temp").arg(zone), QString::number(milli));
    }
    void setPowerMode(const QString& name, int id) const {
        write("fake/nvpmodel", "NV Fan Mode:quiet\nNV Power Mode: " + name + "\n" + QString::number(id));
    }
    void allowSudo(bool allowed) const {
        if (allowed) write("fake/sudo_allowed", "");
        else QFile::remove(dir_.filePath("fake/sudo_allowed"));
    }
    QString calls() const { return read("fake/calls.log"); }

    // The environment an agent (or the CLI) needs to see this board.
    QProcessEnvironment environment() const {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert("TAILPRUNE_SYSFS_ROOT", root());
        if (!env.value("PATH").startsWith(fakeBin() + ":")) env.insert("PATH", fakeBin() + ":" + env.value("PATH"));
        env.insert("TAILPRUNE_CLOCKS_DIR", clocksDir());
        return env;
    }
    // The same, for this process (core functions called directly).
    void applyToThisProcess() const {
        const QProcessEnvironment env = environment();
        for (const char* key : {"TAILPRUNE_SYSFS_ROOT", "PATH", "TAILPRUNE_CLOCKS_DIR"})
            qputenv(key, env.value(key).toLocal8Bit());
    }

private:
    QTemporaryDir dir_;
};
