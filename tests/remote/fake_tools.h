#pragma once
// Stand-in programs the install tests put first on a device's PATH (issue 22).
#include <QDir>
#include <QFile>
#include <QString>

// Writes `text` to DIR/NAME as an executable; returns false when it cannot.
inline bool writeExecutable(const QString& dir, const QString& name, const QByteArray& text) {
    if (!QDir().mkpath(dir)) return false;
    QFile f(dir + "/" + name);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate)) return false;
    f.write(text);
    f.close();
    return f.setPermissions(f.permissions() | QFileDevice::ExeOwner);
}

// A folder holding a `cmake` that says it is 3.16.3 (JetPack 5's apt CMake, too old for the build).
inline bool makeOldCmake(const QString& dir) {
    return writeExecutable(dir, "cmake", "#!/bin/sh\necho 'cmake version 3.16.3'\n");
}
