// tailprune-studio: the Qt 6 desktop studio.
//   tailprune-studio [profile.json ...] [--store FILE] [--scope NAME] [--overlay] [--tab TITLE]
//                    [--schedule FILE.json] [--screenshot out.png [--size 1600x1000]]
#include <csignal>
#include <QApplication>
#include <QCommandLineParser>
#include <QTabWidget>
#include <QTimer>

#include "ui/curve_view.h"
#include "ui/curves_tab.h"
#include "ui/main_window.h"
#include "ui/profile_library.h"
#include "ui/profile_loader.h"
#include "ui/store_loader.h"
#ifdef TAILPRUNE_HAS_EDITOR
#include "ui/editor/editor_tab.h"
#include "ui/editor/schedule_actions.h"
#include "ui/editor/schedule_editor.h"
#endif

namespace tp::ui {
class ScheduleEditor;
}

namespace {

struct ShowOptions {
    QString screenshot, scope, tab, schedule;
    bool overlay = false;
};

// The workspace tab whose title starts with `title` (case-insensitive), or a warning listing them.
void selectTab(tp::ui::MainWindow& window, const QString& title) {
    QTabWidget* tabs = window.workspace();
    QStringList titles;
    for (int i = 0; i < tabs->count(); ++i) {
        if (tabs->tabText(i).startsWith(title, Qt::CaseInsensitive)) return tabs->setCurrentIndex(i);
        titles << tabs->tabText(i);
    }
    qWarning("no tab '%s'; the tabs are: %s", qPrintable(title), qPrintable(titles.join(", ")));
}

// Once every profile is loaded: show the chosen scope/overlay/tab, then (--screenshot) grab the window.
void whenLoaded(tp::ui::MainWindow& window, const ShowOptions& show, tp::ui::ScheduleEditor* editor) {
    auto shoot = [&window, show, editor] {
        if (show.overlay) {
            QVector<int> all;
            for (int i = 0; i < window.library()->size(); ++i) all << i;
            window.showProfiles(all);
        }
        if (!show.scope.isEmpty()) window.curvesTab()->view()->setScope(show.scope);
        if (!show.tab.isEmpty()) selectTab(window, show.tab);
#ifdef TAILPRUNE_HAS_EDITOR
        // A schedule file opens in the editor, on a loaded profile of its model; a bad one says why.
        if (!show.schedule.isEmpty() && editor) {
            window.workspace()->setCurrentWidget(editor);
            auto* actions = editor->findChild<tp::ui::ScheduleActions*>();
            if (actions && !actions->importFrom(show.schedule)) qWarning("%s", qPrintable(actions->message()));
        }
#else
        (void)editor;
        if (!show.schedule.isEmpty()) qWarning("this build has no schedule editor: --schedule is ignored");
#endif
        const QString path = show.screenshot;
        if (path.isEmpty()) return;
        // Let queued replots and layouts run before grabbing.
        QTimer::singleShot(400, &window, [&window, path] {
            const bool ok = window.grab().save(path);
            if (!ok) qWarning("could not write the screenshot %s", qPrintable(path));
            QApplication::exit(ok ? 0 : 1);
        });
    };
    auto waitLoaded = [&window, shoot] {
        if (!window.loader()->isBusy() && !window.storeLoader()->isBusy()) shoot();
        else QObject::connect(window.loader(), &tp::ui::ProfileLoader::idle, &window, shoot, Qt::SingleShotConnection);
    };
    QTimer::singleShot(0, &window, waitLoaded);
}

}  // namespace

int main(int argc, char** argv) {
    // A child (ssh, the agent) that exits while we write to it must fail that write, not end the studio.
    std::signal(SIGPIPE, SIG_IGN);
    QApplication app(argc, argv);
    QApplication::setOrganizationName("TailPrune");
    QApplication::setApplicationName("TailPrune Studio");
    QApplication::setApplicationVersion(TAILPRUNE_VERSION);

    QCommandLineParser cli;
    cli.setApplicationDescription("TailPrune Studio: latency-vs-tokens curves, steps and pruning schedules");
    cli.addHelpOption();
    cli.addVersionOption();
    cli.addPositionalArgument("profiles", "profile files to open", "[profile.json ...]");
    const QCommandLineOption store("store", "read the runs of this store file", "FILE");
    const QCommandLineOption scope("scope", "show this curve (e.g. model, block:3)", "NAME");
    const QCommandLineOption overlay("overlay", "overlay every loaded profile");
    const QCommandLineOption tab("tab", "open this workspace tab (e.g. curves, schedule editor)", "TITLE");
    const QCommandLineOption screenshot("screenshot", "save a picture of the window once loaded, then exit", "PNG");
    const QCommandLineOption size("size", "window size, e.g. 1600x1000", "WxH");
    const QCommandLineOption schedule("schedule", "open this schedule file in the schedule editor", "JSON");
    cli.addOptions({store, scope, overlay, tab, screenshot, size, schedule});
    cli.process(app);

    tp::ui::MainWindow window;
    tp::ui::ScheduleEditor* editor = nullptr;
#ifdef TAILPRUNE_HAS_EDITOR
    editor = tp::ui::install_schedule_editor(window);
#endif
    if (cli.isSet(size)) {
        const QStringList wh = cli.value(size).split('x');
        if (wh.size() == 2) window.resize(wh[0].toInt(), wh[1].toInt());
    }
    if (!cli.positionalArguments().isEmpty()) window.openFiles(cli.positionalArguments());
    if (cli.isSet(store)) window.openStore(cli.value(store));
    window.show();
    const ShowOptions show{cli.value(screenshot), cli.value(scope), cli.value(tab), cli.value(schedule), cli.isSet(overlay)};
    if (cli.isSet(screenshot) || cli.isSet(scope) || cli.isSet(overlay) || cli.isSet(tab) || cli.isSet(schedule))
        whenLoaded(window, show, editor);
    return app.exec();
}
