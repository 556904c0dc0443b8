#pragma once
#include <QStringList>
#include <QWidget>

class QLabel;

namespace tp::ui {

// Errors shown in the window (not only in a status bar that scrolls away): the latest message
// stays until dismissed; earlier ones are in its tooltip.
class ErrorBanner : public QWidget {
    Q_OBJECT
public:
    explicit ErrorBanner(QWidget* parent = nullptr);
    void showError(const QString& message);
    void dismiss();
    QString message() const;
    const QStringList& history() const { return history_; }

private:
    QLabel* label_ = nullptr;
    QStringList history_;
};

}  // namespace tp::ui
