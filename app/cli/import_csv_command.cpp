// tailprune import-csv: curves measured elsewhere (a user's PyTorch script) into a profile.
#include <iostream>

#include "app/cli/command_registry.h"
#include "core/model/csv_import.h"
#include "core/model/profile_json.h"

namespace tp::cli {
namespace {

struct ImportCsvOptions {
    std::vector<std::string> csv;
    std::string output;
    std::string device = "unknown";
    std::string device_kind = "cuda";
    std::string model = "deit_small_patch16_224";
    std::vector<std::string> scopes;
    int tokens = 197;
    int depth = 12;
    int embed_dim = 384;
    int heads = 6;
    int batch = 1;
    std::string dtype = "fp32";
    std::string mode = "graph";
};

const CommandRegistrar reg(20, [](CLI::App& app) {
    auto o = std::make_shared<ImportCsvOptions>();
    auto* cmd = app.add_subcommand("import-csv", "Build a profile from CSV curves (tokens,median_ms[,p10_ms,p90_ms,samples])");
    cmd->add_option("CSV", o->csv, "one curve per file")->required()->check(CLI::ExistingFile);
    cmd->add_option("-o,--output", o->output, "profile JSON to write")->required();
    cmd->add_option("--device", o->device, "device name, e.g. 'NVIDIA H100 80GB HBM3'")->required();
    cmd->add_option("--device-kind", o->device_kind, "cpu or cuda")->check(CLI::IsMember({"cpu", "cuda"}));
    cmd->add_option("--model", o->model, "model name")->required();
    cmd->add_option("--scope", o->scopes,
                    "scope of each CSV, in order (model, block:K, attn:K, mlp:K, deployed:K, prune:M:K:N, fixed:embed); "
                    "one value applies to all")->required();
    cmd->add_option("--tokens", o->tokens, "full token count incl. CLS")->check(CLI::PositiveNumber);
    cmd->add_option("--depth", o->depth, "blocks")->check(CLI::PositiveNumber);
    cmd->add_option("--embed-dim", o->embed_dim, "embedding width")->check(CLI::PositiveNumber);
    cmd->add_option("--heads", o->heads, "attention heads")->check(CLI::PositiveNumber);
    cmd->add_option("--batch", o->batch, "batch size")->check(CLI::PositiveNumber);
    cmd->add_option("--dtype", o->dtype, "fp32, fp16 or bf16")->check(CLI::IsMember({"fp32", "fp16", "bf16"}));
    cmd->add_option("--mode", o->mode, "graph, eager or cpu")->check(CLI::IsMember({"graph", "eager", "cpu"}));
    cmd->callback([o] {
        if (o->scopes.size() != 1 && o->scopes.size() != o->csv.size())
            throw CommandError("give one --scope for all CSV files or one per file (" + std::to_string(o->csv.size()) +
                               " files, " + std::to_string(o->scopes.size()) + " scopes)");
        Profile p;
        p.device.name = o->device;
        p.device.kind = o->device_kind;
        p.device.host = "imported";
        p.model.name = o->model;
        p.model.tokens = o->tokens;
        p.model.depth = o->depth;
        p.model.embed_dim = o->embed_dim;
        p.model.heads = o->heads;
        p.model.batch = o->batch;
        p.model.dtype = o->dtype;
        p.settings.mode = o->mode;
        p.settings.rounds = 1;       // unknown for curves measured elsewhere
        p.settings.warmup = 0;
        p.settings.torch_threads = 0;
        p.settings.blas_threads = 0;
        p.settings.tool_version = std::string("tailprune ") + TAILPRUNE_VERSION + " import-csv";
        for (std::size_t i = 0; i < o->csv.size(); ++i) {
            Scope scope = parse_scope(o->scopes.size() == 1 ? o->scopes[0] : o->scopes[i]);
            Curve c = load_curve_csv(o->csv[i], scope);
            if (p.find_curve(c.name)) c.name += "#" + std::to_string(i);
            p.curves.push_back(std::move(c));
        }
        validate(p);
        save_profile(p, o->output);
        std::cout << "wrote " << o->output << ": " << p.curves.size() << " curve(s)\n";
    });
});

}  // namespace
}  // namespace tp::cli
