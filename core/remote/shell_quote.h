#pragma once
#include <string>
#include <vector>

namespace tp::remote {

// One argument quoted for a POSIX shell: wrapped in single quotes, each ' written as '\''.
// The result is always one word to `sh`, whatever the argument holds ($(..), ;, newlines, ...).
std::string shell_quote(const std::string& argument);

// The words joined by spaces, each quoted: the remote command line OpenSSH hands to the login shell.
std::string shell_command_line(const std::vector<std::string>& words);

}  // namespace tp::remote
