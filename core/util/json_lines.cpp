#include "core/util/json_lines.h"

#include <vector>

namespace tp {
namespace {

// RFC 6901 tokens of `pointer`, unescaped ("~1" -> "/", "~0" -> "~").
std::vector<std::string> pointer_tokens(const std::string& pointer) {
    std::vector<std::string> tokens;
    std::size_t i = 0;
    while (i < pointer.size() && pointer[i] == '/') {
        std::string token;
        ++i;
        while (i < pointer.size() && pointer[i] != '/') {
            if (pointer[i] == '~' && i + 1 < pointer.size() && (pointer[i + 1] == '0' || pointer[i + 1] == '1')) {
                token += pointer[i + 1] == '0' ? '~' : '/';
                i += 2;
            } else {
                token += pointer[i++];
            }
        }
        tokens.push_back(std::move(token));
    }
    return tokens;
}

// One pass over valid JSON, without recursion: it descends only into the member or element the
// pointer names and skips every other value with a bracket counter, so the cost is linear in the
// text and the stack stays flat however deep the document nests (error reports run on crafted
// files too).
class PointerScanner {
public:
    explicit PointerScanner(const std::string& text) : s_(text) {}

    // The line where the deepest value on the pointer's path starts (the parent, for a pointer to
    // a missing member); 0 for empty text.
    int find(const std::vector<std::string>& tokens) {
        skip_ws();
        if (i_ >= s_.size()) return 0;
        int found = line_;
        for (const std::string& token : tokens) {
            if (i_ >= s_.size()) break;
            const bool entered = s_[i_] == '{' ? enter_member(token) : s_[i_] == '[' ? enter_element(token) : false;
            if (!entered || i_ >= s_.size()) break;
            found = line_;
        }
        return found;
    }

private:
    void skip_ws() {
        while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r')) {
            if (s_[i_] == '\n') ++line_;
            ++i_;
        }
    }
    std::string read_string() {  // at '"'; JSON escapes are kept as the character after '\'
        std::string out;
        ++i_;
        while (i_ < s_.size() && s_[i_] != '"') {
            if (s_[i_] == '\\' && i_ + 1 < s_.size()) {
                out += s_[i_ + 1];
                i_ += 2;
                continue;
            }
            out += s_[i_++];
        }
        ++i_;
        return out;
    }
    void skip_string() {  // at '"'
        ++i_;
        while (i_ < s_.size() && s_[i_] != '"') i_ += s_[i_] == '\\' ? 2 : 1;
        ++i_;
    }
    void skip_value() {
        std::size_t depth = 0;
        while (i_ < s_.size()) {
            const char c = s_[i_];
            if (c == '"') {
                skip_string();
            } else if (c == '{' || c == '[') {
                ++depth;
                ++i_;
            } else if (c == '}' || c == ']') {
                if (depth == 0) return;  // the end of the enclosing container
                --depth;
                ++i_;
            } else if (c == ',' && depth == 0) {
                return;
            } else {
                if (c == '\n') ++line_;
                ++i_;
            }
            if (depth == 0 && (c == '}' || c == ']' || c == '"')) return;
        }
    }
    // After a value inside a container: past the ',' to the next entry; false at the closing bracket.
    bool next_entry() {
        skip_ws();
        if (i_ < s_.size() && s_[i_] == ',') {
            ++i_;
            skip_ws();
            return true;
        }
        return false;
    }
    bool enter_member(const std::string& key) {  // at '{'
        ++i_;
        skip_ws();
        while (i_ < s_.size() && s_[i_] == '"') {
            const bool match = read_string() == key;
            skip_ws();
            ++i_;  // ':'
            skip_ws();
            if (match) return true;
            skip_value();
            if (!next_entry()) return false;
        }
        return false;
    }
    bool enter_element(const std::string& token) {  // at '['
        if (token.empty() || token.find_first_not_of("0123456789") != std::string::npos || token.size() > 9)
            return false;
        const long wanted = std::stol(token);
        ++i_;
        skip_ws();
        for (long index = 0; i_ < s_.size() && s_[i_] != ']'; ++index) {
            if (index == wanted) return true;
            skip_value();
            if (!next_entry()) return false;
        }
        return false;
    }

    const std::string& s_;
    std::size_t i_ = 0;
    int line_ = 1;
};

}  // namespace

int json_pointer_line(const std::string& text, const std::string& pointer) {
    return PointerScanner(text).find(pointer_tokens(pointer));
}

}  // namespace tp
