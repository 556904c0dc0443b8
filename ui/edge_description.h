#pragma once
#include <vector>

#include <QString>

#include "core/model/profile.h"
#include "core/steps/step_detector.h"
#include "core/steps/tile_explainer.h"

namespace tp::ui {

// "+0.42 ms (+3.1%)" — the height of an edge, signed.
QString edgeHeightText(const Edge& edge);
// Why the edge is there, saying where the answer comes from: "measured: <kernel change>" from the
// profile's kernel census, "<tile/wave boundary> (tile model)", or "kernel switch?".
QString edgeExplanationText(const EdgeExplanation& explanation);

// Explains the edges of `analysis` for a curve of `profile`: the tile/wave model on CUDA devices
// (needs the SM count), the measured kernel census wherever the profile has one; CPU profiles get
// no tile labels (CPUs have no waves). Returns one entry per edge, or none when nothing applies.
std::vector<EdgeExplanation> explainEdges(StepAnalysis& analysis, const Profile& profile, const Curve& curve);

// One line about the periodic pattern (CPU: n % 4), empty when none was found.
QString periodText(const PeriodicFinding& period);

}  // namespace tp::ui
