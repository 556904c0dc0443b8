#include "ui/edge_description.h"

#include <cmath>

#include <QObject>
#include <QStringList>

namespace tp::ui {

QString edgeHeightText(const Edge& edge) {
    const double ms = edge.height_ms;
    return QStringLiteral("%1%2 ms (%3%4%)")
        .arg(ms >= 0 ? "+" : "")
        .arg(ms, 0, 'f', ms != 0 && std::abs(ms) < 0.1 ? 4 : 3)
        .arg(edge.height_pct >= 0 ? "+" : "")
        .arg(edge.height_pct, 0, 'f', 1);
}

QString edgeExplanationText(const EdgeExplanation& e) {
    const QString label = QString::fromStdString(e.label);
    if (e.source == "kernel census") return QStringLiteral("measured: ") + label;
    if (e.source == "tile model") return label + QStringLiteral(" (tile model)");
    return label;
}

std::vector<EdgeExplanation> explainEdges(StepAnalysis& analysis, const Profile& profile, const Curve& curve) {
    if (analysis.edges.empty() || curve.points.empty()) return {};
    const bool cuda = profile.device.kind == "cuda" && profile.device.sm_count > 0;
    bool hasCensus = false;
    for (const KernelCensus& k : profile.census) hasCensus |= k.curve == curve.name;
    if (!cuda && !hasCensus) return {};
    ExplainSettings settings;
    settings.sm_count = profile.device.sm_count;
    settings.batch = profile.model.batch;
    std::vector<PredictedBoundary> predicted;
    // The tile model describes one block's GEMMs at M = batch·tokens: it applies to every scope
    // whose x axis is the sequence length through whole blocks.
    const ScopeKind k = curve.scope.kind;
    if (cuda && (k == ScopeKind::Model || k == ScopeKind::Block || k == ScopeKind::Attention || k == ScopeKind::Mlp ||
                 k == ScopeKind::Deployed))
        predicted = predict_boundaries(vit_block_gemms(profile.model.embed_dim, profile.model.mlp_ratio_x100), settings,
                                       curve.points.front().tokens, curve.points.back().tokens);
    return explain_edges(analysis, predicted, settings, profile.census, curve.name);
}

QString periodText(const PeriodicFinding& p) {
    if (!p.found) return {};
    auto residues = [](const std::vector<int>& r) {
        QStringList s;
        for (int v : r) s << QString::number(v);
        return s.join(",");
    };
    QString text = QObject::tr("Periodic pattern: latency depends on n mod %1").arg(p.period);
    if (!p.fast_residues.empty())
        text += QObject::tr(" · fast residues %1 (%2%)").arg(residues(p.fast_residues)).arg(p.fast_pct, 0, 'f', 1);
    if (!p.slow_residues.empty())
        text += QObject::tr(" · slow residues %1 (+%2%)").arg(residues(p.slow_residues)).arg(p.slow_pct, 0, 'f', 1);
    return text;
}

}  // namespace tp::ui
