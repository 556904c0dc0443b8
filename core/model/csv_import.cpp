#include "core/model/csv_import.h"

#include <cmath>
#include <limits>
#include <map>
#include <sstream>
#include <vector>

#include "core/util/format_error.h"
#include "core/util/input_limits.h"
#include "core/util/json_reader.h"

namespace tp {

namespace {

std::string trim(const std::string& s) {
    auto b = s.find_first_not_of(" \t\r");
    auto e = s.find_last_not_of(" \t\r");
    return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

std::vector<std::string> split_row(const std::string& line) {
    std::vector<std::string> out;
    std::stringstream ss(line);
    std::string cell;
    while (std::getline(ss, cell, ',')) out.push_back(trim(cell));
    if (!line.empty() && line.back() == ',') out.emplace_back();
    return out;
}

double parse_number(const std::string& cell, const std::string& where, const std::string& column) {
    try {
        std::size_t used = 0;
        double v = std::stod(cell, &used);
        if (used != cell.size() || !std::isfinite(v)) throw std::invalid_argument(cell);
        return v;
    } catch (const std::exception&) {
        throw FormatError(where, "column " + column + ": '" + cell + "' is not a number");
    }
}

}  // namespace

Curve parse_curve_csv(const std::string& text, const std::string& source, const Scope& scope) {
    std::stringstream in(text);
    std::string line;
    int line_no = 0;
    std::vector<std::string> header;
    while (std::getline(in, line)) {
        ++line_no;
        if (!trim(line).empty() && trim(line)[0] != '#') { header = split_row(line); break; }
    }
    if (header.empty()) throw FormatError(source, "empty CSV: expected a header tokens,median_ms[,p10_ms,p90_ms,samples]");
    static const std::vector<std::string> known = {"tokens", "median_ms", "p10_ms", "p90_ms", "samples"};
    std::map<std::string, std::size_t> column;
    for (std::size_t i = 0; i < header.size(); ++i) {
        bool ok = false;
        for (const auto& k : known) ok = ok || header[i] == k;
        if (!ok)
            throw FormatError(source + ":" + std::to_string(line_no),
                              "unknown column '" + header[i] + "' (expected tokens,median_ms[,p10_ms,p90_ms,samples])");
        if (!column.emplace(header[i], i).second)
            throw FormatError(source + ":" + std::to_string(line_no), "duplicate column '" + header[i] + "'");
    }
    if (!column.count("tokens") || !column.count("median_ms"))
        throw FormatError(source + ":" + std::to_string(line_no), "header needs at least tokens and median_ms");
    if (column.count("p10_ms") != column.count("p90_ms"))
        throw FormatError(source + ":" + std::to_string(line_no), "p10_ms and p90_ms come together");

    Curve curve;
    curve.scope = scope;
    curve.name = to_string(scope);
    while (std::getline(in, line)) {
        ++line_no;
        if (trim(line).empty() || trim(line)[0] == '#') continue;
        const std::string where = source + ":" + std::to_string(line_no);
        auto cells = split_row(line);
        if (cells.size() != header.size())
            throw FormatError(where, "expected " + std::to_string(header.size()) + " columns, found " +
                                         std::to_string(cells.size()));
        CurvePoint p;
        double tokens = parse_number(cells[column["tokens"]], where, "tokens");
        if (tokens != std::floor(tokens) || tokens < 1) throw FormatError(where, "tokens must be a positive integer");
        // Checked before the conversion: a double past int's range cast to int is undefined (fuzz_csv_import).
        if (tokens > limits::kTokens)
            throw FormatError(where, "tokens " + cells[column["tokens"]] + " is more than the limit of " +
                                         std::to_string(limits::kTokens));
        p.tokens = static_cast<int>(tokens);
        p.median_ms = parse_number(cells[column["median_ms"]], where, "median_ms");
        p.mean_ms = p.median_ms;
        p.p10_ms = column.count("p10_ms") ? parse_number(cells[column["p10_ms"]], where, "p10_ms") : p.median_ms;
        p.p90_ms = column.count("p90_ms") ? parse_number(cells[column["p90_ms"]], where, "p90_ms") : p.median_ms;
        p.min_ms = p.p10_ms;
        if (column.count("samples")) {
            double n = parse_number(cells[column["samples"]], where, "samples");
            if (n < 0 || n != std::floor(n) || n > std::numeric_limits<int>::max())
                throw FormatError(where, "samples must be a non-negative integer below 2^31");
            p.samples = static_cast<int>(n);
        }
        p.rel_noise = p.median_ms > 0 ? (p.p90_ms - p.p10_ms) / (2 * p.median_ms) : 0;
        p.stop_reason = "imported";
        curve.points.push_back(p);
    }
    if (curve.points.empty()) throw FormatError(source, "CSV has a header but no data rows");
    try {
        normalise_and_check(curve);
    } catch (const FormatError& e) {
        throw FormatError(source, e.what());
    }
    return curve;
}

Curve load_curve_csv(const std::string& path, const Scope& scope) {
    return parse_curve_csv(read_text_file(path), path, scope);
}

}  // namespace tp
