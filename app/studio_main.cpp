// tailprune-studio: the Qt 6 desktop studio.
#include <QApplication>

#include "ui/main_window.h"

int main(int argc, char** argv) {
    QApplication app(argc, argv);
    QApplication::setOrganizationName("TailPrune");
    QApplication::setApplicationName("TailPrune Studio");
    QApplication::setApplicationVersion(TAILPRUNE_VERSION);
    tp::ui::MainWindow window;
    window.show();
    return app.exec();
}
