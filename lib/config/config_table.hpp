// The one table of configuration variables: name, type, default, description and the Config
// field each one sets. Parsing, the env example and the Markdown reference all read it.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "config/config.hpp"

namespace ff::config {

enum class Type {
    string,      // any text
    secret,      // text never shown; may also come from <NAME>_FILE
    postgres,    // a PostgreSQL URL or key=value conninfo; a secret (it holds the password)
    url,         // http(s)://host[:port]
    listen,      // host:port
    duration,    // 30s, 250ms, 5m, 1h
    boolean,     // true/false, 1/0, on/off, yes/no
    fraction,    // 0.10 or 10%
    integer,     // within [min, max]
    bytes,       // 2GiB, 500MB, 1048576
    choice,      // one of `choices`
    identifier,  // a plain PostgreSQL role name
    file,        // path of a readable file
    directory,   // path of an existing directory
    prefix,      // an S3 key prefix (no leading "/")
    origins,     // web origins, comma-separated: https://ops.example.com,http://localhost:5173
};

// The Config member a variable sets.
using Field = std::variant<std::string Config::*, Millis Config::*, bool Config::*,
                           double Config::*, int Config::*, std::uint64_t Config::*>;

struct Variable {
    std::string_view name;
    Type type;
    Field field;
    std::string_view section;           // groups variables in the generated docs
    std::string_view default_value;     // as an operator would write it; empty = unset
    std::string_view description;       // one or two sentences, for the docs
    std::string_view sample;            // a valid value different from the default (docs, tests)
    std::string_view required_by = {};  // which commands need it, for the docs
    std::vector<std::string_view> choices = {};  // Type::choice
    std::int64_t min = 0, max = 0;               // Type::integer
    // Has no effect any more; still accepted so existing configurations keep starting, with a
    // warning, and left out of the env example.
    bool retired = false;
};

// Every variable, in documentation order.
std::span<const Variable> variables();

// The variable named `name`, or nullptr.
const Variable* find_variable(std::string_view name);

// Secrets and DATABASE_URL can also be read from the file named by <NAME>_FILE.
bool accepts_file(const Variable& v);
bool is_secret(const Variable& v);

// The name of a type as the docs show it ("duration", "boolean", ...).
std::string_view type_name(Type type);

}  // namespace ff::config
