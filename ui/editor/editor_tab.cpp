#include "ui/editor/editor_tab.h"

#include <QVBoxLayout>

#include "ui/editor/core_latency_source.h"
#include "ui/editor/schedule_actions.h"
#include "ui/editor/schedule_editor.h"
#include "ui/main_window.h"

namespace tp::ui {

ScheduleEditor* install_schedule_editor(MainWindow& window) {
    auto* editor = new ScheduleEditor;
    editor->setLatencySource(std::make_shared<CoreLatencySource>());
    auto* actions = new ScheduleActions(editor, window.agentClient(), editor);
    editor->actionArea()->addWidget(actions);
    auto sync = [&window, editor] {
        // One entry per profile, in overlay order, same model as the first.
        std::vector<std::shared_ptr<const Profile>> profiles;
        for (const CurveRef& ref : window.overlay()) {
            if (!ref.profile) continue;
            bool seen = false;
            for (const auto& p : profiles) seen = seen || p == ref.profile;
            if (seen) continue;
            if (!profiles.empty() && (ref.profile->model.depth != profiles.front()->model.depth ||
                                      ref.profile->model.tokens != profiles.front()->model.tokens))
                continue;
            profiles.push_back(ref.profile);
        }
        if (profiles.empty() || profiles == editor->profiles()) return;
        editor->setProfiles(profiles, 0);
    };
    QObject::connect(&window, &MainWindow::overlayChanged, editor, sync);
    sync();
    window.addWorkspaceTab(editor, "Schedule editor");
    return editor;
}

}  // namespace tp::ui
