#pragma once
#include <initializer_list>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/util/file_io.h"  // read_text_file, write_text_file_atomically: most readers want both
#include "core/util/format_error.h"

namespace tp {

// Strict, typed access to a JSON object that names the offending field in every error.
// `path` is the JSON pointer of `node` within the document.
class JsonReader {
public:
    JsonReader(const nlohmann::json& node, std::string path);

    const nlohmann::json& node() const { return node_; }
    const std::string& path() const { return path_; }
    std::string child_path(const std::string& key) const { return path_ + "/" + key; }

    // Rejects keys not in `allowed` (typos must not pass silently).
    void only_keys(std::initializer_list<const char*> allowed) const;

    bool has(const char* key) const;
    std::string str(const char* key) const;
    std::string str_or(const char* key, const std::string& fallback) const;
    double num(const char* key) const;
    double num_or(const char* key, double fallback) const;
    std::optional<double> opt_num(const char* key) const;
    long long integer(const char* key) const;
    long long integer_or(const char* key, long long fallback) const;
    bool boolean_or(const char* key, bool fallback) const;
    JsonReader object(const char* key) const;
    std::optional<JsonReader> opt_object(const char* key) const;
    const nlohmann::json& array(const char* key) const;  // must exist and be an array
    const nlohmann::json* opt_array(const char* key) const;

    [[noreturn]] void fail(const std::string& key, const std::string& problem) const;

private:
    const nlohmann::json& at(const char* key) const;
    const nlohmann::json& node_;
    std::string path_;
};

// Parses `text` as JSON; a syntax error becomes FormatError "<source>:line L, column C: ...".
nlohmann::json parse_json_text(const std::string& text, const std::string& source);

// Rewrites a FormatError whose where() is a JSON pointer into "<source>, line L, field /a/b: ...".
[[noreturn]] void rethrow_with_line(const FormatError& error, const std::string& text, const std::string& source);


}  // namespace tp
