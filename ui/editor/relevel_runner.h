#pragma once
// Runs `tailprune calibrate-latency --profile FILE` for the studio's "Re-level for this machine"
// button (issue 27): a separate process, so the GUI never waits; progress lines as they come,
// cancel with SIGINT (the CLI then writes nothing), and one finished() with the outcome.
#include <QObject>
#include <QProcess>
#include <QString>

namespace tp::ui {

class RelevelRunner : public QObject {
    Q_OBJECT
public:
    explicit RelevelRunner(QObject* parent = nullptr);
    ~RelevelRunner() override;

    bool running() const { return process_.state() != QProcess::NotRunning; }
    // `program`: the tailprune CLI (AgentClient::defaultProgram()).
    void start(const QString& program, const QString& profileFile);
    void cancel();

Q_SIGNALS:
    void progress(const QString& line);                     // "[3/7] prune:tome:3:50 at 49,40,31"
    void finished(bool ok, const QString& summary);         // summary: the CLI's first line, or its error

private:
    QProcess process_;
    QString stdout_, stderr_;
    bool cancelled_ = false;
};

}  // namespace tp::ui
