#pragma once
#include <QObject>
#include <QString>
#include <functional>
#include <memory>
#include <optional>

namespace tp::remote {
class AskpassServer;
}

namespace tp::ui {

// The studio's side of `tailprune askpass`: a Unix socket in a private folder (core's
// AskpassServer) that ssh's askpass helper connects to; each question is shown as a password
// dialog on the GUI thread. Cancel answers "no" for that connection only. Nothing is stored.
class PassphrasePrompt : public QObject {
    Q_OBJECT
public:
    // Answers a prompt on the GUI thread: the passphrase, or nothing to cancel.
    using Asker = std::function<std::optional<QString>(const QString& prompt)>;

    explicit PassphrasePrompt(QObject* parent = nullptr);
    ~PassphrasePrompt() override;

    QString socketPath() const;
    // Replaces the dialog (tests answer without a screen).
    void setAsker(Asker asker) { asker_ = std::move(asker); }
    int questions() const;

private:
    std::optional<QString> askOnGuiThread(const QString& prompt);
    Asker asker_;
    std::unique_ptr<remote::AskpassServer> server_;
};

}  // namespace tp::ui
