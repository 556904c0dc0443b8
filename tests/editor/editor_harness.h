#pragma once
// A shown ScheduleEditor on the five synthetic devices with the core latency predictor, and the
// mouse gestures the tests and the bench perform on its plot.
#include <QTest>
#include <memory>

#include "editor_fixtures.h"
#include "ui/editor/core_latency_source.h"
#include "ui/editor/schedule_editor.h"
#include "ui/editor/schedule_plot.h"

namespace tp::test {

inline std::unique_ptr<ui::ScheduleEditor> make_editor(int active = 0) {
    auto editor = std::make_unique<ui::ScheduleEditor>();
    editor->resize(1400, 900);
    editor->setLatencySource(std::make_shared<ui::CoreLatencySource>());
    editor->setProfiles(five_device_profiles(), active);
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
