#pragma once
// A shown ScheduleEditor on a profile library holding the five synthetic devices (their analyses
// predict latency), and the mouse gestures the tests and the bench perform on its plot.
#include <QTest>
#include <memory>

#include "editor_fixtures.h"
#include "ui/editor/schedule_editor.h"
#include "ui/editor/schedule_plot.h"
#include "ui/profile_library.h"

namespace tp::test {

// The five synthetic devices as loaded profiles (from the store: no calibration record).
inline ui::ProfileLibrary* five_device_library(QObject* parent) {
    auto* library = new ui::ProfileLibrary(parent);
    for (const auto& p : five_device_profiles())
        library->add(ui::LoadedProfile{p, ui::ProfileOrigin::Store, QString::fromStdString("store:" + p->id)});
    return library;
}

inline std::unique_ptr<ui::ScheduleEditor> make_editor(int active = 0) {
    auto editor = std::make_unique<ui::ScheduleEditor>();
    editor->resize(1400, 900);
    editor->setLibrary(five_device_library(editor.get()));
    editor->setActiveDevice(active);
    editor->show();
    if (!QTest::qWaitForWindowExposed(editor.get())) qWarning("editor window was not exposed");
    return editor;
}

// A schedule of the editor's model with the given pruning points and method.
inline Schedule schedule_with_points(const ui::ScheduleEditor& editor, const std::vector<PruningPoint>& points,
                                     const std::string& method = "topk") {
    Schedule s = editor.schedule();
    s.method = method;
    s.parameters.clear();
    s.tokens_after_block = tokens_from_points(s.depth(), s.input_tokens(), points);
    return s;
}

// Press on handle `index`, move to (block, tokens) in a few steps, release.
inline void drag_handle(ui::SchedulePlot* plot, int index, double block, double tokens,
                        Qt::KeyboardModifiers modifiers = Qt::NoModifier, bool release = true) {
    const QPoint from = plot->handlePixel(index);
    const QPoint to = plot->pixelFor(block, tokens);
    QTest::mousePress(plot, Qt::LeftButton, modifiers, from);
    for (int i = 1; i <= 4; ++i) QTest::mouseMove(plot, from + (to - from) * i / 4);
    if (modifiers != Qt::NoModifier) {
        // QTest::mouseMove carries no modifiers: send the last move as an event that does.
        QMouseEvent move(QEvent::MouseMove, QPointF(to), plot->mapToGlobal(QPointF(to)), Qt::NoButton, Qt::LeftButton,
                         modifiers);
        QApplication::sendEvent(plot, &move);
    }
    if (release) QTest::mouseRelease(plot, Qt::LeftButton, modifiers, to);
}

}  // namespace tp::test
