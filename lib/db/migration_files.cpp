// The SQL migration files compiled into the binary, and how their names order them.
#include "db/migration_files.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <charconv>

#include "db/migrate.hpp"

namespace ff::db {
namespace {

constexpr std::string_view kSeparator = "__";
constexpr std::string_view kSuffix = ".sql";

std::string description_of(std::string_view text) {
    std::string out(text);
    std::replace(out.begin(), out.end(), '_', ' ');
    return out;
}

MigrationFile parse_name(const EmbeddedSql& file) {
    std::string_view name = file.name;
    const auto bad = [&](const char* why) {
        return MigrateError("sql/" + std::string(name) + ": not a migration file name (" + why +
                            "; expected V<NNNN>__<description>.sql or R__<description>.sql)");
    };
    if (name.size() <= kSuffix.size() || !name.ends_with(kSuffix)) throw bad("no .sql suffix");
    const auto stem = name.substr(0, name.size() - kSuffix.size());
    const auto sep = stem.find(kSeparator);
    if (sep == std::string_view::npos || sep + kSeparator.size() == stem.size())
        throw bad("no __<description>");
    MigrationFile m;
    m.name = std::string(name);
    m.text = file.text;
    m.rules = file.rules;
    m.description = description_of(stem.substr(sep + kSeparator.size()));
    const auto prefix = stem.substr(0, sep);
    if (prefix == "R") {
        m.kind = 'R';
        return m;
    }
    if (m.rules) throw bad("only a repeatable R__ file can define the normalisation rules");
    if (prefix.size() < 2 || prefix.front() != 'V') throw bad("prefix is neither V<NNNN> nor R");
    const auto digits = prefix.substr(1);
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), m.version);
    if (ec != std::errc() || end != digits.data() + digits.size() || m.version <= 0)
        throw bad("version is not a positive integer");
    return m;
}

}  // namespace

std::vector<MigrationFile> plan_migrations(const std::vector<EmbeddedSql>& files) {
    std::vector<MigrationFile> plan;
    for (const auto& f : files) plan.push_back(parse_name(f));
    std::sort(plan.begin(), plan.end(), [](const MigrationFile& a, const MigrationFile& b) {
        if (a.kind != b.kind) return a.kind == 'V';  // every V before any R
        if (a.kind == 'V') return a.version < b.version;
        return a.description < b.description;
    });
    for (std::size_t i = 1; i < plan.size(); ++i) {
        const auto& a = plan[i - 1];
        const auto& b = plan[i];
        if (a.kind == b.kind && a.version == b.version && a.description == b.description)
            throw MigrateError("sql/" + a.name + " and sql/" + b.name + " are the same migration");
        if (a.kind == 'V' && b.kind == 'V' && a.version == b.version)
            throw MigrateError("sql/" + a.name + " and sql/" + b.name + " share version " +
                               std::to_string(a.version));
    }
    return plan;
}

std::string sha256_hex(std::string_view text) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (EVP_Digest(text.data(), text.size(), digest, &length, EVP_sha256(), nullptr) != 1)
        throw MigrateError("SHA-256 failed");
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(length * 2);
    for (unsigned int i = 0; i < length; ++i) {
        out += kHex[digest[i] >> 4];
        out += kHex[digest[i] & 0x0f];
    }
    return out;
}

}  // namespace ff::db
