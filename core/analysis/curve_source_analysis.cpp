#include "core/analysis/curve_source_analysis.h"

namespace tp {

ProfileAnalysis analyse_curve_source(const CurveSource& source, const std::string& path, const AnalysisSettings& settings) {
    if (source.profile) return ProfileAnalysis(std::make_shared<const Profile>(*source.profile), path, settings);
    Profile lone;
    lone.curves.push_back(source.curve);
    return ProfileAnalysis(std::make_shared<const Profile>(std::move(lone)), "", settings);
}

}  // namespace tp
