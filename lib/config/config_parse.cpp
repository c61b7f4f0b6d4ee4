// Turns the environment into a validated Config, one table entry at a time.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "config/config.hpp"
#include "config/config_table.hpp"
#include "config/value_parsers.hpp"
#include "core/secrets.hpp"

namespace ff::config {
namespace {

std::string quoted(std::string_view text) {
    return "\"" + std::string(text) + "\"";
}

std::string lookup(const Environment& env, const std::string& name) {
    const auto it = env.find(name);
    return it == env.end() ? std::string() : it->second;
}

// The value of a secret given directly or through <NAME>_FILE (one trailing newline trimmed).
std::string resolve_secret(const Environment& env, const Variable& v) {
    const std::string name(v.name);
    const std::string file_var = name + "_FILE";
    const std::string direct = lookup(env, name);
    const std::string path = lookup(env, file_var);
    if (!direct.empty() && !path.empty())
        throw ConfigError(name, "both " + name + " and " + file_var + " are set; use one");
    if (path.empty()) return direct;
    std::ifstream file(path, std::ios::binary);
    if (!file)
        throw ConfigError(file_var, "cannot read " + quoted(path) + ": " + std::strerror(errno));
    std::ostringstream text;
    text << file.rdbuf();
    std::string value = text.str();
    if (value.ends_with('\n')) value.pop_back();
    if (value.ends_with('\r')) value.pop_back();
    if (value.empty()) throw ConfigError(file_var, "file is empty: " + quoted(path));
    return value;
}

std::string percent_decode(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size() + 0 &&
            std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
            std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
            out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
            i += 2;
        } else {
            out += s[i];
        }
    }
    return out;
}

// Registers the password inside a PostgreSQL URL or conninfo, raw and percent-decoded, so that a
// library message quoting only the password is scrubbed too.
void register_database_password(const std::string& url) {
    secrets::add(url);
    const auto scheme_end = url.find("://");
    if (scheme_end != std::string::npos) {
        const auto at = url.rfind('@', url.find_first_of("?", scheme_end));
        const auto colon = url.find(':', scheme_end + 3);
        if (at != std::string::npos && colon != std::string::npos && colon < at) {
            const auto raw = url.substr(colon + 1, at - colon - 1);
            secrets::add(raw);
            secrets::add(percent_decode(raw));
        }
    }
    // password=... in a query string or keyword/value conninfo, quoted or not.
    for (auto pos = url.find("password"); pos != std::string::npos;
         pos = url.find("password", pos + 1)) {
        auto v = url.find_first_not_of(" \t", pos + 8);
        if (v == std::string::npos || url[v] != '=') continue;
        v = url.find_first_not_of(" \t", v + 1);
        if (v == std::string::npos) break;
        std::string value;
        if (url[v] == '\'') {
            for (auto i = v + 1; i < url.size() && url[i] != '\''; ++i)
                value += (url[i] == '\\' && i + 1 < url.size()) ? url[++i] : url[i];
        } else {
            value = url.substr(v, url.find_first_of(" \t&", v) - v);
        }
        secrets::add(value);
        secrets::add(percent_decode(value));
    }
}

void check_postgres(const std::string& url) {
    const bool is_url = url.starts_with("postgresql://") || url.starts_with("postgres://");
    if (!is_url && url.find('=') == std::string::npos)
        throw ConfigError("DATABASE_URL",
                          "not a PostgreSQL URL (postgresql://user:password@host:port/db) or "
                          "key=value conninfo");
}

void check_path(const Variable& v, const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0)
        throw ConfigError(std::string(v.name), quoted(path) + ": " + std::strerror(errno));
    if (v.type == Type::directory && !S_ISDIR(st.st_mode))
        throw ConfigError(std::string(v.name), "not a directory: " + quoted(path));
    if (v.type == Type::file && (S_ISDIR(st.st_mode) || ::access(path.c_str(), R_OK) != 0))
        throw ConfigError(std::string(v.name), "not a readable file: " + quoted(path));
}

std::string_view trim(std::string_view s) {
    const auto first = s.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) return {};
    return s.substr(first, s.find_last_not_of(" \t\r\n") - first + 1);
}

// Stores `value` in the field of `v`; the types differ only if the table itself is wrong.
template <class T>
void store(Config& cfg, const Variable& v, T value) {
    const auto* member = std::get_if<T Config::*>(&v.field);
    if (member == nullptr)
        throw std::logic_error(std::string(v.name) + ": table type and field differ");
    cfg.** member = std::move(value);
}

// Parses one non-empty value according to the variable's type and stores it in `cfg`.
void apply(Config& cfg, const Variable& v, const std::string& raw) {
    const std::string text = is_secret(v) ? raw : std::string(trim(raw));
    const auto set = [&](auto value) { store(cfg, v, std::move(value)); };
    switch (v.type) {
        case Type::secret:
        case Type::string:
            return set(text);
        case Type::postgres:
            check_postgres(text);
            return set(text);
        case Type::url:
            parse_endpoint(text);
            return set(std::string(text.ends_with('/') ? text.substr(0, text.size() - 1) : text));
        case Type::listen:
            parse_listen(text);
            // Stored spelled out, so the server and the healthcheck read one form.
            return set(text.starts_with(':') ? std::string(kAnyHost) + text : text);
        case Type::duration:
            return set(parse_duration(text));
        case Type::boolean:
            return set(parse_bool(text));
        case Type::fraction:
            return set(parse_fraction(text));
        case Type::integer:
            return set(static_cast<int>(parse_integer(text, v.min, v.max)));
        case Type::bytes:
            return set(parse_bytes(text));
        case Type::choice:
            return set(parse_choice(text, v.choices));
        case Type::identifier:
            return set(parse_identifier(text));
        case Type::file:
        case Type::directory:
            check_path(v, text);
            return set(text);
        case Type::prefix:
            if (text.starts_with('/'))
                throw std::invalid_argument("must not start with \"/\": " + quoted(text));
            return set(text);
        case Type::origins: {
            std::string joined;  // as browsers send them, so the read side compares exactly
            for (const auto& origin : parse_origins(text))
                joined += (joined.empty() ? "" : ",") + origin;
            return set(joined);
        }
    }
}

// Edit distance, to suggest the variable a typo meant.
std::size_t distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t up = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1])});
            diagonal = up;
        }
    }
    return row[b.size()];
}

}  // namespace

Config parse(const Environment& env) {
    Config cfg;
    // Secrets first, so that they are registered before anything else can fail and be logged.
    std::vector<const Variable*> order;
    for (const auto& v : variables())
        if (is_secret(v)) order.push_back(&v);
    for (const auto& v : variables())
        if (!is_secret(v)) order.push_back(&v);

    for (const Variable* v : order) {
        const std::string name(v->name);
        const std::string raw = accepts_file(*v) ? resolve_secret(env, *v) : lookup(env, name);
        if (raw.empty()) continue;  // unset or empty: the default applies
        if (v->type == Type::postgres)
            register_database_password(raw);
        else if (is_secret(*v))
            secrets::add(raw);
        try {
            apply(cfg, *v, raw);
        } catch (const std::invalid_argument& e) {
            throw ConfigError(name, e.what());
        }
    }
    return cfg;
}

void require_database(const Config& cfg) {
    if (cfg.database_url.empty())
        throw ConfigError("DATABASE_URL", "not set (set DATABASE_URL or DATABASE_URL_FILE)");
}

void require_object_store(const Config& cfg) {
    if (!cfg.source_dir.empty()) return;
    const auto need = [](const std::string& value, const char* name, const char* how) {
        if (value.empty())
            throw ConfigError(name, std::string("not set (") + how +
                                        ", or FUEL_SOURCE_DIR to read "
                                        "a local directory)");
    };
    need(cfg.rustfs_endpoint, "RUSTFS_ENDPOINT", "set RUSTFS_ENDPOINT");
    need(cfg.rustfs_access_key, "RUSTFS_ACCESS_KEY", "set RUSTFS_ACCESS_KEY");
    need(cfg.rustfs_secret_key, "RUSTFS_SECRET_KEY",
         "set RUSTFS_SECRET_KEY or RUSTFS_SECRET_KEY_FILE");
}

void require_analytics(const Config& cfg) {
    if (cfg.analytics && cfg.reader_role.empty())
        throw ConfigError("FUEL_READER_ROLE",
                          "required when FUEL_ANALYTICS is on: the analytics API reads as this "
                          "role (SET ROLE), never with the rights of DATABASE_URL's user");
}

std::vector<std::string> warnings(const Environment& env) {
    std::vector<std::string> out;
    for (const auto& v : variables()) {
        const auto set = env.find(std::string(v.name));
        if (v.retired && set != env.end() && !set->second.empty())
            out.push_back(std::string(v.name) +
                          " is retired and has no effect; remove it (docs/configuration.md)");
    }
    for (const auto& [name, value] : env) {
        if (!name.starts_with("FUEL_") || find_variable(name) != nullptr) continue;
        std::string line = name + " is not a FleetFuel variable and is ignored";
        if (name.ends_with("_FILE")) {
            const Variable* base = find_variable(std::string_view(name).substr(0, name.size() - 5));
            if (base != nullptr && accepts_file(*base)) continue;
            if (base != nullptr) {
                out.push_back(line + "; only secrets can be read from a file");
                continue;
            }
        }
        const Variable* closest = nullptr;
        std::size_t best = 4;  // farther than 3 edits is not a typo
        for (const auto& candidate : variables()) {
            const auto d = distance(name, candidate.name);
            if (d < best) best = d, closest = &candidate;
        }
        if (closest != nullptr) line += "; did you mean " + std::string(closest->name) + "?";
        out.push_back(std::move(line));
    }
    return out;
}

}  // namespace ff::config
