#pragma once
#include <optional>
#include <string>

namespace tp {

// What a latency curve measures. Token counts always include CLS.
enum class ScopeKind {
    Model,      // whole model, every block at n tokens (input pruning, the paper's sweep)
    Block,      // one block at n tokens, timed in place inside the model
    Attention,  // the attention half of one block (norm1, qkv, attention, proj, residual)
    Mlp,        // the MLP half of one block (norm2, fc1, GELU, fc2, residual)
    Deployed,   // full length up to and including block `block`, n tokens after it
    PruneOp,    // one method's token-reduction op, tokens_in fixed, x axis = tokens out
    Fixed,      // fixed parts: part = "embed" (patch embedding + pos) or "head" (norm + head)
};

struct Scope {
    ScopeKind kind = ScopeKind::Model;
    int block = -1;          // Block, Attention, Mlp: the block; Deployed: the cut block; PruneOp: the block it runs in
    std::string method;      // PruneOp only: pomt, topk, zerotprune, tome, random
    int tokens_in = 0;       // PruneOp only
    std::string part;        // Fixed only: embed | head

    bool operator==(const Scope& o) const {
        return kind == o.kind && block == o.block && method == o.method &&
               tokens_in == o.tokens_in && part == o.part;
    }
    bool operator!=(const Scope& o) const { return !(*this == o); }
};

std::string to_string(ScopeKind kind);
std::optional<ScopeKind> scope_kind_from_string(const std::string& text);

// Canonical text form, also accepted by the CLI's --scope: "model", "block:3", "attn:3",
// "mlp:3", "deployed:3", "prune:pomt:3:197", "fixed:embed".
std::string to_string(const Scope& scope);
// Throws FormatError on malformed text.
Scope parse_scope(const std::string& text);

}  // namespace tp
