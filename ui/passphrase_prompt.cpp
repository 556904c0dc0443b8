#include "ui/passphrase_prompt.h"

#include <QApplication>
#include <QInputDialog>
#include <QLineEdit>
#include <QMetaObject>
#include <QThread>

#include "core/remote/askpass.h"

namespace tp::ui {

PassphrasePrompt::PassphrasePrompt(QObject* parent) : QObject(parent) {
    asker_ = [](const QString& prompt) -> std::optional<QString> {
        bool ok = false;
        const QString text = QInputDialog::getText(QApplication::activeWindow(), tr("SSH key passphrase"),
                                                   prompt.isEmpty() ? tr("Passphrase:") : prompt, QLineEdit::Password,
                                                   QString(), &ok);
        if (!ok) return std::nullopt;
        return text;
    };
    server_ = std::make_unique<remote::AskpassServer>(
        [this](const std::string& prompt) -> std::optional<std::string> {
            auto answer = askOnGuiThread(QString::fromStdString(prompt));
            if (!answer) return std::nullopt;
            return answer->toStdString();
        });
}

PassphrasePrompt::~PassphrasePrompt() = default;

QString PassphrasePrompt::socketPath() const { return QString::fromStdString(server_->socket_path()); }
int PassphrasePrompt::questions() const { return server_->questions(); }

std::optional<QString> PassphrasePrompt::askOnGuiThread(const QString& prompt) {
    // Called on the socket's thread: the dialog must run on the GUI thread, which waits for it.
    std::optional<QString> answer;
    if (QThread::currentThread() == thread()) return asker_(prompt);
    QMetaObject::invokeMethod(
        this, [this, &answer, prompt] { answer = asker_(prompt); }, Qt::BlockingQueuedConnection);
    return answer;
}

}  // namespace tp::ui
