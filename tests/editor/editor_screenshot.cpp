// editor_screenshot OUT.png: the editor mid-drag (button still down, magnet showing) on the five
// synthetic devices, rendered offscreen with grab(). Used for docs/screenshots/editor-drag.png.
// editor_screenshot OUT.png PROFILE.json: the editor as a new user first sees it on that profile
// (the unpruned schedule, no point yet), at the size it has in a 1440x900 studio window.
#include <QApplication>
#include <QTest>
#include <cstdio>

#include "core/model/profile_json.h"
#include "editor_harness.h"

using namespace tp;

int main(int argc, char** argv) {
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    if (argc < 2) {
        std::fprintf(stderr, "usage: editor_screenshot OUT.png [PROFILE.json]\n");
        return 2;
    }
    if (argc > 2) {
        ui::ScheduleEditor editor;
        auto* library = new ui::ProfileLibrary(&editor);
        library->add(ui::LoadedProfile{std::make_shared<const Profile>(load_profile(argv[2])), ui::ProfileOrigin::File,
                                       QString::fromLocal8Bit(argv[2])});
        editor.setLibrary(library);
        editor.resize(1130, 780);
        editor.show();
        QTest::qWaitForWindowExposed(&editor);
        QTest::qWait(50);
        const QPixmap shot = editor.grab();
        if (!shot.save(QString::fromLocal8Bit(argv[1]))) return 1;
        std::printf("wrote %s (%dx%d): %s\n", argv[1], shot.width(), shot.height(), qPrintable(editor.statusText()));
        return 0;
    }
    auto editor = test::make_editor(0);
    editor->resize(1500, 920);
    editor->openSchedule(test::schedule_with_points(*editor, {{1, 185}, {5, 150}, {8, 80}}));
    ui::SchedulePlot* plot = editor->plot();
    // Drag the middle point from 150 down towards the edge at 128 and stop just above it.
    QTest::mousePress(plot, Qt::LeftButton, Qt::NoModifier, plot->handlePixel(1));
    for (int tokens = 149; tokens >= 131; --tokens) QTest::mouseMove(plot, plot->pixelFor(5, tokens));
    QCoreApplication::processEvents();
    QTest::qWait(50);
    const QPixmap shot = editor->grab();
    if (!shot.save(QString::fromLocal8Bit(argv[1]))) {
        std::fprintf(stderr, "error: cannot write %s\n", argv[1]);
        return 1;
    }
    std::printf("wrote %s (%dx%d), point at block 5 / %d tokens, %s\n", argv[1], shot.width(), shot.height(),
                editor->schedule().tokens_after_block[5], qPrintable(editor->statusText()));
    return 0;
}
