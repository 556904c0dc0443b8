#include "core/model/profile_merge.h"

#include <filesystem>
#include <sstream>

#include "core/util/format_error.h"

namespace tp {
namespace {

template <typename T>
void require_same(const std::string& source, const std::string& field, const T& first, const T& other,
                  const std::string& first_source) {
    if (first == other) return;
    std::ostringstream a, b;
    a << first;
    b << other;
    throw FormatError(source + ": " + field,
                      "'" + b.str() + "' here, '" + a.str() + "' in " + first_source + ": these curves are not comparable");
}

void require_compatible(const std::pair<std::string, Profile>& first, const std::pair<std::string, Profile>& part) {
    const auto& [src, p] = part;
    const Profile& f = first.second;
    const std::string& fs = first.first;
    require_same(src, "/device", f.device.identity(), p.device.identity(), fs);
    require_same(src, "/device/torch_version", f.device.torch_version, p.device.torch_version, fs);
    // The BLAS build and the kernel it picked (OpenBLAS: the core type, e.g. Haswell vs an
    // autodetected Cooperlake) move CPU timings by 10-20%.
    require_same(src, "/device/blas", f.device.blas, p.device.blas, fs);
    require_same(src, "/device/runtime_version", f.device.runtime_version, p.device.runtime_version, fs);
    const ModelInfo &a = f.model, &b = p.model;
    require_same(src, "/model/name", a.name, b.name, fs);
    require_same(src, "/model/architecture", a.architecture, b.architecture, fs);
    require_same(src, "/model/depth", a.depth, b.depth, fs);
    require_same(src, "/model/embed_dim", a.embed_dim, b.embed_dim, fs);
    require_same(src, "/model/heads", a.heads, b.heads, fs);
    require_same(src, "/model/mlp_ratio", a.mlp_ratio_x100, b.mlp_ratio_x100, fs);
    require_same(src, "/model/tokens", a.tokens, b.tokens, fs);
    require_same(src, "/model/dtype", a.dtype, b.dtype, fs);
    require_same(src, "/model/batch", a.batch, b.batch, fs);
    require_same(src, "/model/weights_hash", a.weights_hash, b.weights_hash, fs);
    require_same(src, "/settings/mode", f.settings.mode, p.settings.mode, fs);
    require_same(src, "/settings/l2", f.settings.l2, p.settings.l2, fs);
    require_same(src, "/settings/torch_threads", f.settings.torch_threads, p.settings.torch_threads, fs);
    require_same(src, "/settings/blas_threads", f.settings.blas_threads, p.settings.blas_threads, fs);
}

std::string describe_part(const std::string& source, const Profile& p) {
    const StoppingRule& s = p.settings.stopping;
    std::ostringstream out;
    out << std::filesystem::path(source).filename().string() << " (" << (p.settings.date.empty() ? "undated" : p.settings.date) << ", " << p.curves.size()
        << " curves, noise target " << s.target_rel_noise << ", timeout " << s.timeout_s << " s)";
    return out.str();
}

}  // namespace

Profile merge_profiles(const std::vector<std::pair<std::string, Profile>>& parts) {
    if (parts.size() < 2) throw FormatError("merge", "needs at least two profiles");
    Profile out = parts.front().second;
    std::string merged_from = describe_part(parts.front().first, out);
    // Each part's clock flags are its own sweep's: kept, each saying which part it is from.
    out.clock_flags.clear();
    for (const auto& [source, p] : parts)
        for (const ClockFlag& f : p.clock_flags) out.clock_flags.push_back({f.kind, source + ": " + f.message});
    for (std::size_t i = 1; i < parts.size(); ++i) {
        const auto& [source, p] = parts[i];
        require_compatible(parts.front(), parts[i]);
        for (const Curve& c : p.curves) {
            if (out.find_curve(c.name)) {
                std::string owner = parts.front().first;
                for (std::size_t k = 1; k < i; ++k)
                    if (parts[k].second.find_curve(c.name)) owner = parts[k].first;
                throw FormatError(source + ": /curves/" + c.name, "also in " + owner + "; a merged profile has one curve per scope");
            }
            out.curves.push_back(c);
        }
        out.census.insert(out.census.end(), p.census.begin(), p.census.end());
        if (!p.notes.empty()) out.notes += (out.notes.empty() ? "" : "\n") + p.notes;
        merged_from += "; " + describe_part(source, p);
    }
    out.settings.environment["merged_from"] = merged_from;
    validate(out);
    return out;
}

}  // namespace tp
