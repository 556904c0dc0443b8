#include "ui/sessions_bar.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>

#include "core/remote/remembered_sessions.h"

namespace tp::ui {

SessionsBar::SessionsBar(QWidget* parent) : QFrame(parent) {
    setObjectName("sessionsBar");
    setFrameShape(QFrame::StyledPanel);
    setStyleSheet("#sessionsBar { background: #e8f0fe; border: 1px solid #aac4f0; }");
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(8, 4, 8, 4);
    label_ = new QLabel;
    choice_ = new QComboBox;
    choice_->setObjectName("sessionChoice");
    auto* reattach = new QPushButton(tr("Re-attach"));
    reattach->setObjectName("reattachSession");
    auto* forget = new QPushButton(tr("Forget"));
    forget->setObjectName("forgetSession");
    layout->addWidget(label_);
    layout->addWidget(choice_, 1);
    layout->addWidget(reattach);
    layout->addWidget(forget);
    connect(reattach, &QPushButton::clicked, this, [this] {
        if (choice_->currentIndex() < 0) return;
        const QStringList key = choice_->currentData().toStringList();
        Q_EMIT reattachRequested(key.value(0), key.value(1));
        hide();
    });
    connect(forget, &QPushButton::clicked, this, [this] {
        if (choice_->currentIndex() < 0) return;
        const QStringList key = choice_->currentData().toStringList();
        remote::forget_session(key.value(0).toStdString(), key.value(1).toStdString());
        refresh();
    });
    refresh();
}

int SessionsBar::refresh() {
    choice_->clear();
    const auto sessions = remote::load_remembered_sessions();
    for (const auto& s : sessions)
        choice_->addItem(tr("%1: %2 session %3, started %4")
                             .arg(QString::fromStdString(s.device), QString::fromStdString(s.cmd), QString::fromStdString(s.id),
                                  QString::fromStdString(s.started)),
                         QStringList{QString::fromStdString(s.device), QString::fromStdString(s.id)});
    label_->setText(tr("%n session(s) started here may still be running on devices:", nullptr, int(sessions.size())));
    setVisible(!sessions.empty());
    return int(sessions.size());
}

}  // namespace tp::ui
