#include "core/model/profile.h"

#include <set>

#include "core/util/format_error.h"

namespace tp {

const Curve* Profile::find_curve(const std::string& name) const {
    for (const auto& c : curves)
        if (c.name == name) return &c;
    return nullptr;
}
const Curve* Profile::find_curve(const Scope& scope) const {
    for (const auto& c : curves)
        if (c.scope == scope) return &c;
    return nullptr;
}
Curve* Profile::find_curve(const Scope& scope) {
    for (auto& c : curves)
        if (c.scope == scope) return &c;
    return nullptr;
}
bool Profile::partial() const {
    for (const auto& c : curves)
        if (c.partial) return true;
    return false;
}

void validate(const Profile& profile) {
    const ModelInfo& m = profile.model;
    if (profile.format_version != Profile::kFormatVersion)
        throw FormatError("/format_version", "unsupported profile format version " +
                                                 std::to_string(profile.format_version) + " (this build reads " +
                                                 std::to_string(Profile::kFormatVersion) + ")");
    if (m.depth <= 0) throw FormatError("/model/depth", "must be positive");
    if (m.tokens < 1) throw FormatError("/model/tokens", "must be at least 1 (CLS)");
    if (m.batch < 1) throw FormatError("/model/batch", "must be at least 1");
    if (m.embed_dim <= 0 || m.heads <= 0 || m.embed_dim % m.heads != 0)
        throw FormatError("/model/heads", "embed_dim must be a positive multiple of heads");
    if (profile.device.kind != "cpu" && profile.device.kind != "cuda")
        throw FormatError("/device/kind", "must be 'cpu' or 'cuda', found '" + profile.device.kind + "'");
    std::set<std::string> names;
    for (std::size_t i = 0; i < profile.curves.size(); ++i) {
        const Curve& c = profile.curves[i];
        const std::string at = "/curves/" + std::to_string(i);
        if (c.name.empty()) throw FormatError(at + "/name", "must not be empty");
        if (!names.insert(c.name).second) throw FormatError(at + "/name", "duplicate curve name '" + c.name + "'");
        const Scope& s = c.scope;
        bool needs_block = s.kind == ScopeKind::Block || s.kind == ScopeKind::Attention || s.kind == ScopeKind::Mlp ||
                           s.kind == ScopeKind::Deployed || s.kind == ScopeKind::PruneOp;
        if (needs_block && (s.block < 0 || s.block >= m.depth))
            throw FormatError(at + "/scope", "block " + std::to_string(s.block) + " is outside the model's " +
                                                 std::to_string(m.depth) + " blocks");
        for (std::size_t j = 0; j < c.points.size(); ++j)
            if (c.points[j].tokens > m.tokens)
                throw FormatError(at + "/points/" + std::to_string(j) + "/tokens",
                                  "token count " + std::to_string(c.points[j].tokens) + " exceeds the model's " +
                                      std::to_string(m.tokens));
    }
}

}  // namespace tp
