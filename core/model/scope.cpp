#include "core/model/scope.h"

#include <sstream>
#include <vector>

#include "core/util/format_error.h"

namespace tp {

namespace {
const std::pair<ScopeKind, const char*> kKinds[] = {
    {ScopeKind::Model, "model"},       {ScopeKind::Block, "block"},       {ScopeKind::Attention, "attn"},
    {ScopeKind::Mlp, "mlp"},           {ScopeKind::Deployed, "deployed"}, {ScopeKind::PruneOp, "prune"},
    {ScopeKind::Fixed, "fixed"},
};

std::vector<std::string> split(const std::string& text, char sep) {
    std::vector<std::string> parts;
    std::stringstream ss(text);
    std::string part;
    while (std::getline(ss, part, sep)) parts.push_back(part);
    if (!text.empty() && text.back() == sep) parts.emplace_back();
    return parts;
}

int parse_index(const std::string& text, const std::string& whole, const char* what) {
    try {
        std::size_t used = 0;
        int v = std::stoi(text, &used);
        if (used != text.size() || v < 0) throw std::invalid_argument(text);
        return v;
    } catch (const std::exception&) {
        throw FormatError("scope '" + whole + "'", std::string("expected a non-negative integer ") + what +
                                                   ", found '" + text + "'");
    }
}
}  // namespace

std::string to_string(ScopeKind kind) {
    for (const auto& [k, name] : kKinds)
        if (k == kind) return name;
    return "model";
}

std::optional<ScopeKind> scope_kind_from_string(const std::string& text) {
    for (const auto& [k, name] : kKinds)
        if (text == name) return k;
    return std::nullopt;
}

std::string to_string(const Scope& scope) {
    switch (scope.kind) {
    case ScopeKind::Model: return "model";
    case ScopeKind::Block:
    case ScopeKind::Attention:
    case ScopeKind::Mlp:
    case ScopeKind::Deployed: return to_string(scope.kind) + ":" + std::to_string(scope.block);
    case ScopeKind::PruneOp:
        return "prune:" + scope.method + ":" + std::to_string(scope.block) + ":" + std::to_string(scope.tokens_in);
    case ScopeKind::Fixed: return "fixed:" + scope.part;
    }
    return "model";
}

Scope parse_scope(const std::string& text) {
    auto parts = split(text, ':');
    if (parts.empty()) throw FormatError("scope", "empty scope");
    auto kind = scope_kind_from_string(parts[0]);
    if (!kind)
        throw FormatError("scope '" + text + "'",
                          "unknown scope kind '" + parts[0] + "' (model, block:K, attn:K, mlp:K, deployed:K, "
                          "prune:METHOD:K:TOKENS_IN, fixed:embed|head)");
    Scope s;
    s.kind = *kind;
    switch (s.kind) {
    case ScopeKind::Model:
        if (parts.size() != 1) throw FormatError("scope '" + text + "'", "'model' takes no arguments");
        break;
    case ScopeKind::Block:
    case ScopeKind::Attention:
    case ScopeKind::Mlp:
    case ScopeKind::Deployed:
        if (parts.size() != 2) throw FormatError("scope '" + text + "'", "expected " + parts[0] + ":BLOCK");
        s.block = parse_index(parts[1], text, "block index");
        break;
    case ScopeKind::PruneOp:
        if (parts.size() != 4 || parts[1].empty())
            throw FormatError("scope '" + text + "'", "expected prune:METHOD:BLOCK:TOKENS_IN");
        s.method = parts[1];
        s.block = parse_index(parts[2], text, "block index");
        s.tokens_in = parse_index(parts[3], text, "token count");
        break;
    case ScopeKind::Fixed:
        if (parts.size() != 2 || (parts[1] != "embed" && parts[1] != "head"))
            throw FormatError("scope '" + text + "'", "expected fixed:embed or fixed:head");
        s.part = parts[1];
        break;
    }
    return s;
}

}  // namespace tp
