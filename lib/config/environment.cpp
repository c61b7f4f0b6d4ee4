// The environment FleetFuel reads: the process environment over an optional `.env` file.
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "config/config.hpp"
#include "config/dotenv.hpp"

extern char** environ;

namespace ff::config {
namespace {

bool is_name_start(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}
bool is_name_char(char c) {
    return is_name_start(c) || (c >= '0' && c <= '9');
}

std::string_view trim(std::string_view s) {
    const auto first = s.find_first_not_of(" \t\r");
    if (first == std::string_view::npos) return {};
    const auto last = s.find_last_not_of(" \t\r");
    return s.substr(first, last - first + 1);
}

// Returns the value of a quoted or bare right-hand side, or an error reason.
std::string unquote(std::string_view rhs, const std::string& where) {
    if (rhs.empty()) return {};
    const char quote = rhs.front();
    if (quote == '\'' || quote == '"') {
        std::string value;
        std::size_t i = 1;
        for (; i < rhs.size() && rhs[i] != quote; ++i) {
            // Double quotes allow the usual escapes; single quotes are literal.
            if (quote == '"' && rhs[i] == '\\' && i + 1 < rhs.size()) {
                const char next = rhs[++i];
                value += next == 'n' ? '\n' : next;
            } else {
                value += rhs[i];
            }
        }
        if (i == rhs.size()) throw ConfigError(where, "unterminated quote");
        const auto after = trim(rhs.substr(i + 1));
        if (!after.empty() && after.front() != '#')
            throw ConfigError(where, "unexpected text after the closing quote");
        return value;
    }
    // Unquoted: a # starts a comment only after whitespace, so a#b stays a value (as in Compose).
    for (std::size_t i = 1; i < rhs.size(); ++i)
        if (rhs[i] == '#' && (rhs[i - 1] == ' ' || rhs[i - 1] == '\t'))
            return std::string(trim(rhs.substr(0, i)));
    return std::string(rhs);
}

}  // namespace

Environment parse_dotenv(std::string_view text, const std::string& origin) {
    Environment env;
    std::size_t line_no = 0;
    while (!text.empty()) {
        const auto eol = text.find('\n');
        auto line = trim(text.substr(0, eol));
        text = eol == std::string_view::npos ? std::string_view{} : text.substr(eol + 1);
        ++line_no;
        const std::string where = origin + ": line " + std::to_string(line_no);
        if (line.empty() || line.front() == '#') continue;
        if (line.starts_with("export ")) line = trim(line.substr(7));
        const auto eq = line.find('=');
        if (eq == std::string_view::npos) throw ConfigError(where, "expected KEY=VALUE");
        const auto key = trim(line.substr(0, eq));
        if (key.empty() || !is_name_start(key.front()) ||
            key.find_first_not_of(
                "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_") !=
                std::string_view::npos)
            throw ConfigError(where, "not a variable name before \"=\"");
        env[std::string(key)] = unquote(trim(line.substr(eq + 1)), where);
    }
    return env;
}

Environment load_environment(const std::string& dotenv_path) {
    Environment env;
    std::ifstream file(dotenv_path, std::ios::binary);
    if (file) {
        std::ostringstream text;
        text << file.rdbuf();
        if (file.bad())
            throw ConfigError(dotenv_path, std::string("cannot read: ") + std::strerror(errno));
        env = parse_dotenv(text.str(), dotenv_path);
    }
    // The real environment wins over the file.
    for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
        const std::string_view kv(*entry);
        const auto eq = kv.find('=');
        if (eq == std::string_view::npos || eq == 0 || !is_name_start(kv.front())) continue;
        if (!std::all_of(kv.begin(), kv.begin() + eq, is_name_char)) continue;
        env[std::string(kv.substr(0, eq))] = std::string(kv.substr(eq + 1));
    }
    return env;
}

}  // namespace ff::config
