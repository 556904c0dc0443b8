#include "core/util/json_reader.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "core/util/json_depth.h"
#include "core/util/json_lines.h"

namespace tp {

using nlohmann::json;

JsonReader::JsonReader(const json& node, std::string path) : node_(node), path_(std::move(path)) {
    if (!node_.is_object()) throw FormatError(path_.empty() ? "/" : path_, "expected an object");
}

void JsonReader::only_keys(std::initializer_list<const char*> allowed) const {
    for (auto it = node_.begin(); it != node_.end(); ++it) {
        bool ok = false;
        for (const char* a : allowed) ok = ok || it.key() == a;
        if (!ok) throw FormatError(child_path(it.key()), "unknown field");
    }
}

bool JsonReader::has(const char* key) const { return node_.contains(key) && !node_.at(key).is_null(); }

const json& JsonReader::at(const char* key) const {
    auto it = node_.find(key);
    if (it == node_.end() || it->is_null()) fail(key, "missing required field");
    return *it;
}

void JsonReader::fail(const std::string& key, const std::string& problem) const {
    throw FormatError(child_path(key), problem);
}

std::string JsonReader::str(const char* key) const {
    const json& v = at(key);
    if (!v.is_string()) fail(key, std::string("expected a string, found ") + v.type_name());
    return v.get<std::string>();
}
std::string JsonReader::str_or(const char* key, const std::string& fallback) const {
    return has(key) ? str(key) : fallback;
}
double JsonReader::num(const char* key) const {
    const json& v = at(key);
    if (!v.is_number()) fail(key, std::string("expected a number, found ") + v.type_name());
    double d = v.get<double>();
    if (!std::isfinite(d)) fail(key, "number is not finite");
    return d;
}
double JsonReader::num_or(const char* key, double fallback) const { return has(key) ? num(key) : fallback; }
std::optional<double> JsonReader::opt_num(const char* key) const {
    if (!has(key)) return std::nullopt;
    return num(key);
}
long long JsonReader::integer(const char* key) const {
    const json& v = at(key);
    if (!v.is_number_integer()) fail(key, std::string("expected an integer, found ") + v.type_name());
    return v.get<long long>();
}
long long JsonReader::integer_or(const char* key, long long fallback) const {
    return has(key) ? integer(key) : fallback;
}
bool JsonReader::boolean_or(const char* key, bool fallback) const {
    if (!has(key)) return fallback;
    const json& v = at(key);
    if (!v.is_boolean()) fail(key, std::string("expected true or false, found ") + v.type_name());
    return v.get<bool>();
}
JsonReader JsonReader::object(const char* key) const {
    const json& v = at(key);
    if (!v.is_object()) fail(key, std::string("expected an object, found ") + v.type_name());
    return JsonReader(v, child_path(key));
}
std::optional<JsonReader> JsonReader::opt_object(const char* key) const {
    if (!has(key)) return std::nullopt;
    return object(key);
}
const json& JsonReader::array(const char* key) const {
    const json& v = at(key);
    if (!v.is_array()) fail(key, std::string("expected an array, found ") + v.type_name());
    return v;
}
const json* JsonReader::opt_array(const char* key) const {
    if (!has(key)) return nullptr;
    return &array(key);
}

json parse_json_text(const std::string& text, const std::string& source) {
    // Parsing, copying and destroying a document recurse once per level: a crafted file is refused
    // before any of that.
    if (json_nesting_depth(text, limits::kJsonDepth) > limits::kJsonDepth)
        throw FormatError(source, "nests arrays/objects deeper than " + std::to_string(limits::kJsonDepth) +
                                      " levels (the limit for any TailPrune file)");
    try {
        return json::parse(text);
    } catch (const json::parse_error& e) {
        std::size_t byte = e.byte > 0 ? e.byte - 1 : 0;
        int line = 1, column = 1;
        for (std::size_t i = 0; i < byte && i < text.size(); ++i) {
            if (text[i] == '\n') { ++line; column = 1; } else { ++column; }
        }
        std::string why = e.what();
        auto colon = why.rfind(": ");
        if (colon != std::string::npos) why = why.substr(colon + 2);
        if (text.empty() || byte >= text.size()) why = "file is empty or truncated (" + why + ")";
        throw FormatError(source + ":" + std::to_string(line) + ":" + std::to_string(column),
                          "malformed JSON: " + why);
    } catch (const json::exception& e) {
        // Not a syntax error but still a refusal: a number past double's range ("1e606") is
        // out_of_range 406 (found by fuzz_device_list and fuzz_model_card).
        std::string why = e.what();
        auto bracket = why.find("] ");
        if (bracket != std::string::npos) why = why.substr(bracket + 2);
        throw FormatError(source, "malformed JSON: " + why);
    }
}

void rethrow_with_line(const FormatError& error, const std::string& text, const std::string& source) {
    const std::string pointer = error.where();
    const int line = json_pointer_line(text, pointer);  // a missing field points at its object
    std::string where = source;
    if (line > 0) where += ":" + std::to_string(line);
    where += " (field " + (pointer.empty() ? std::string("/") : pointer) + ")";
    throw FormatError(where, error.problem());
}

}  // namespace tp
