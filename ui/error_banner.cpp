#include "ui/error_banner.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QToolButton>

namespace tp::ui {

ErrorBanner::ErrorBanner(QWidget* parent) : QWidget(parent) {
    setObjectName("errorBanner");
    setAutoFillBackground(true);
    QPalette pal = palette();
    pal.setColor(QPalette::Window, QColor(0xFD, 0xE8, 0xD8));
    pal.setColor(QPalette::WindowText, QColor(0x60, 0x20, 0x00));
    setPalette(pal);
    label_ = new QLabel;
    label_->setWordWrap(true);
    label_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* close = new QToolButton;
    close->setText(tr("Dismiss"));
    connect(close, &QToolButton::clicked, this, &ErrorBanner::dismiss);
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(8, 4, 8, 4);
    layout->addWidget(label_, 1);
    layout->addWidget(close);
    hide();
}

void ErrorBanner::showError(const QString& message) {
    history_ << message;
    label_->setText(message);
    QStringList recent = history_.mid(std::max(0, int(history_.size()) - 10));
    setToolTip(recent.join('\n'));
    show();
}

void ErrorBanner::dismiss() { hide(); }

QString ErrorBanner::message() const { return isHidden() ? QString() : label_->text(); }

}  // namespace tp::ui
