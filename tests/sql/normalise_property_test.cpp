// Thousands of generated messy values: normalisation never fails, and what it reads matches an
// independent reading of the contract's rules (section 4) written here in C++.
// Lets failed checks print the optional values they compared.
#define CATCH_CONFIG_ENABLE_OPTIONAL_STRINGMAKER
#include <catch2/catch.hpp>
#include <cstdio>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "support/fuel_database.hpp"

namespace {

using fftest::sql::FuelDatabase;

std::string json_string(const std::string& s) {
    std::string out = "\"";
    for (const unsigned char c : s) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += static_cast<char>(c);
        } else if (c < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", c);
            out += buf;
        } else {
            out += static_cast<char>(c);
        }
    }
    return out + "\"";
}

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}
char lower(char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}
bool starts_with_ci(const std::string& s, std::size_t at, const std::string& token) {
    if (at + token.size() > s.size()) return false;
    for (std::size_t i = 0; i < token.size(); ++i)
        if (lower(s[at + i]) != token[i]) return false;
    return true;
}
std::size_t code_points(const std::string& s) {
    std::size_t n = 0;
    for (const unsigned char c : s) n += (c & 0xC0) != 0x80;
    return n;
}

// The contract's number cleaning: nullopt when blank (missing), else the cleaned text.
std::optional<std::string> clean_number(const std::string& value) {
    std::string t;
    for (const char c : value)
        if (c != ' ' && c != '\t') t += c;
    if (t.empty()) return std::nullopt;
    if (code_points(t) > 200) return "?";
    // Currency words, each with or without a full stop right after it (contract v1.1).
    while (starts_with_ci(t, 0, "kes") || starts_with_ci(t, 0, "ksh"))
        t.erase(0, t.size() > 3 && t[3] == '.' ? 4 : 3);
    // The earliest position from which the rest is only units, currency words and '/='.
    const std::vector<std::string> tokens = {"kes", "kes.", "ksh", "ksh.", "ltrs", "km", "l", "/="};
    std::vector<bool> tail(t.size() + 1, false);
    tail[t.size()] = true;
    for (std::size_t i = t.size(); i-- > 0;)
        for (const auto& token : tokens)
            if (starts_with_ci(t, i, token) && tail[i + token.size()]) tail[i] = true;
    std::size_t cut = t.size();
    for (std::size_t i = 0; i < t.size(); ++i)
        if (tail[i]) {
            cut = i;
            break;
        }
    t.resize(cut);
    std::string out;
    for (std::size_t i = 0; i < t.size(); ++i) {
        const bool thousands = t[i] == ',' && i + 3 < t.size() && is_digit(t[i + 1]) &&
                               is_digit(t[i + 2]) && is_digit(t[i + 3]) &&
                               (i + 4 == t.size() || !is_digit(t[i + 4]));
        if (!thousands) out += t[i];
    }
    return out;
}

struct Decimal {
    bool negative = false;
    std::string int_digits;
    bool point = false;
    std::string frac_digits;
};

std::optional<Decimal> split_decimal(const std::string& t, bool allow_minus) {
    Decimal d;
    std::size_t i = 0;
    if (i < t.size() && (t[i] == '+' || (allow_minus && t[i] == '-'))) d.negative = t[i++] == '-';
    while (i < t.size() && is_digit(t[i])) d.int_digits += t[i++];
    if (i < t.size() && t[i] == '.') {
        d.point = true;
        ++i;
        while (i < t.size() && is_digit(t[i])) d.frac_digits += t[i++];
    }
    if (i != t.size() || (d.int_digits.empty() && d.frac_digits.empty())) return std::nullopt;
    return d;
}

std::size_t significant(const std::string& digits) {
    const auto first = digits.find_first_not_of('0');
    return first == std::string::npos ? 0 : digits.size() - first;
}

// litres/price/amount: at most 15 integer digits (leading zeros aside) and 100 decimals.
std::optional<std::string> read_number(const std::string& cleaned) {
    const auto d = split_decimal(cleaned, true);
    if (!d || significant(d->int_digits) > 15 || d->frac_digits.size() > 100) return std::nullopt;
    if (d->int_digits.empty() && !d->point) return std::nullopt;
    return cleaned;
}

// odometer: a whole, non-negative number within integer range.
std::optional<std::string> read_odometer(const std::string& cleaned) {
    const auto d = split_decimal(cleaned, false);
    if (!d || d->int_digits.empty() || d->frac_digits.find_first_not_of('0') != std::string::npos)
        return std::nullopt;
    if (significant(d->int_digits) > 10) return std::nullopt;
    const long long v = std::stoll(d->int_digits);
    if (v > 2147483647LL) return std::nullopt;
    return std::to_string(v);
}

bool valid_date(int y, int m, int d) {
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1) return false;
    const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return d <= days[m - 1] + (m == 2 && leap ? 1 : 0);
}

// A generated field: its JSON text, and what the contract says it reads as.
struct Field {
    std::string json;                  // empty: the key is left out
    std::optional<std::string> value;  // expected normalised value, nullopt for NULL
    bool flagged = false;
};

class Generator {
  public:
    explicit Generator(unsigned seed) : rng_(seed) {}

    int pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }

    std::string junk() {
        static const std::vector<std::string> tokens = {
            "0",   "1",   "2",        "3",    "4",    "5",   "6",    "7",    "8",    "9",   "0",
            "1",   "5",   "9",        ",",    ",",    ".",   ".",    " ",    "\t",   "KES", "ksh",
            "Ksh", "L",   "l",        "ltrs", "LTRS", "km",  "KM",   "/=",   "-",    "+",   "e",
            "E",   "NaN", "Infinity", "é",    "٣",    "😀",   "Ksh.", "KES.", "\x01", "\"",  "\\",
            "x",   ":",   "/",        "T",    "Z",    "yes", "no",   "Y",    "true"};
        std::string s;
        const int n = pick(20) == 0 ? 2000 + pick(20000) : pick(12);
        for (int i = 0; i < n; ++i) s += tokens[pick(static_cast<int>(tokens.size()))];
        return s;
    }

    Field number(bool odometer) {
        struct Literal {
            const char* json;
            const char* litres;    // nullptr: NULL + flag
            const char* odometer;  // nullptr: NULL + flag
        };
        static const std::vector<Literal> literals = {
            {"0", "0", "0"},
            {"45.5", "45.5", nullptr},
            {"-1", "-1", nullptr},
            {"1e400", nullptr, nullptr},
            {"-1e400", nullptr, nullptr},
            {"1e-400", nullptr, nullptr},
            {"123456789012345678901234567890", nullptr, nullptr},
            {"1E2", "100", "100"},
            {"123456.0", "123456.0", "123456"},
            {"2147483647", "2147483647", "2147483647"},
            {"2147483648", "2147483648", nullptr},
            {"999999999999999", "999999999999999", nullptr},
            {"1000000000000000", nullptr, nullptr},
            {"true", nullptr, nullptr},
            {"[1]", nullptr, nullptr},
        };
        switch (pick(6)) {
            case 0:
                return {};
            case 1:
                return {"null", std::nullopt, false};
            case 2: {
                const auto& l = literals[pick(static_cast<int>(literals.size()))];
                const char* v = odometer ? l.odometer : l.litres;
                return {l.json, v ? std::optional<std::string>(v) : std::nullopt, v == nullptr};
            }
            default: {
                const std::string s = junk();
                const auto cleaned = clean_number(s);
                if (!cleaned) return {json_string(s), std::nullopt, false};
                const auto v = odometer ? read_odometer(*cleaned) : read_number(*cleaned);
                return {json_string(s), v, !v};
            }
        }
    }

    Field full_tank() {
        static const std::vector<std::string> words = {"yes", "No", " Y ",   "n", "TRUE", "false",
                                                       "1",   "0",  "maybe", "",  "\t"};
        switch (pick(5)) {
            case 0:
                return {};
            case 1:
                return pick(2) ? Field{"true", "true", false} : Field{"false", "false", false};
            case 2:
                return pick(2) ? Field{"1", "true", false} : Field{"2", std::nullopt, true};
            case 3: {
                const std::string w = words[pick(static_cast<int>(words.size()))];
                std::string t;
                for (const char c : w)
                    if (c != ' ' && c != '\t') t += lower(c);
                if (t == "yes" || t == "y" || t == "true" || t == "1")
                    return {json_string(w), "true", false};
                if (t == "no" || t == "n" || t == "false" || t == "0")
                    return {json_string(w), "false", false};
                return {json_string(w), std::nullopt, !t.empty()};
            }
            default:
                return {json_string("x" + junk()), std::nullopt, true};
        }
    }

    Field fill_date() {
        const int years[] = {0, 1, 2024, 2026, 9999};
        const int y = years[pick(5)], m = pick(14), d = pick(33);
        char buf[64];
        switch (pick(6)) {
            case 0:
                return {};
            case 1:
                std::snprintf(buf, sizeof buf, "%04d-%d-%02d", y, m, d);
                break;
            case 2:
                std::snprintf(buf, sizeof buf, " %d/%d/%04d", d, m, y);
                break;
            case 3:
                std::snprintf(buf, sizeof buf, "%d-%02d-%04d\t", d, m, y);
                break;
            case 4:
                std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:00%s", y, m, d, pick(24),
                              pick(60), pick(2) ? "Z" : "+03:00");
                break;
            default:
                return {json_string("x" + junk()), std::nullopt, true};
        }
        if (!valid_date(y, m, d)) return {json_string(buf), std::nullopt, true};
        std::snprintf(buf + 32, 32, "%04d-%02d-%02d", y, m, d);
        return {json_string(buf), std::string(buf + 32), false};
    }

    // Whether a generated created_at is a readable timestamp (its value is checked elsewhere).
    Field created_at() {
        static const std::vector<std::pair<std::string, bool>> zones = {
            {"", true},    {"Z", true},    {"+03:00", true},  {"+0300", true},
            {"-05", true}, {" UTC", true}, {"+16:00", false}, {"+03:60", false}};
        const int y = pick(2) ? 2026 : 0, m = pick(14), d = pick(33), h = pick(26), mi = pick(61),
                  s = pick(61);
        const auto& zone = zones[pick(static_cast<int>(zones.size()))];
        char buf[64];
        switch (pick(4)) {
            case 0:
                return {};
            case 1:
                return {json_string("x" + junk()), std::nullopt, false};
            default:
                std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d%s", y, m, d, h, mi, s,
                              zone.first.c_str());
                const bool ok =
                    valid_date(y, m, d) && h <= 23 && mi <= 59 && s <= 59 && zone.second;
                return {json_string(buf), ok ? std::optional<std::string>("ok") : std::nullopt,
                        false};
        }
    }

  private:
    std::mt19937 rng_;
};

std::string member(const char* name, const Field& f) {
    return f.json.empty() ? "" : std::string(", \"") + name + "\": " + f.json;
}
std::string opt_json(const std::optional<std::string>& v) {
    return v ? json_string(*v) : "null";
}

}  // namespace

TEST_CASE(
    "Thousands of generated messy rows never fail and read exactly as the contract's rules say") {
    FuelDatabase db;
    Generator gen(20260611);
    std::string rows = "[", expected = "[";
    for (int id = 1; id <= 3000; ++id) {
        const auto litres = gen.number(false), odometer = gen.number(true), tank = gen.full_tank(),
                   date = gen.fill_date(), created = gen.created_at();
        const std::string sep = id == 1 ? "" : ",";
        rows += sep + "{\"id\": " + std::to_string(id) + member("litres", litres) +
                member("odometer", odometer) + member("full_tank", tank) +
                member("fill_date", date) + member("created_at", created) +
                ", \"vehicle_reg\": " + json_string(gen.junk()) +
                ", \"department\": " + json_string(gen.junk()) +
                ", \"driver_name\": " + json_string(gen.junk()) +
                ", \"fuel_type\": " + json_string(gen.junk()) +
                ", \"payment_method\": " + json_string(gen.junk()) + "}";
        std::string flags;
        auto add = [&flags](bool on, const char* name) {
            if (on) flags += std::string(flags.empty() ? "" : ",") + "\"" + name + "\"";
        };
        add(litres.flagged || odometer.flagged, "unparseable_number");
        add(date.flagged, "unreadable_date");
        add(tank.flagged, "unparseable_bool");
        expected += sep + "{\"id\": " + std::to_string(id) +
                    ", \"litres\": " + opt_json(litres.value) +
                    ", \"odometer\": " + opt_json(odometer.value) +
                    ", \"full_tank\": " + opt_json(tank.value) +
                    ", \"fill_date\": " + opt_json(date.value) +
                    ", \"created_ok\": " + (created.value ? "true" : "false") + ", \"flags\": [" +
                    flags + "]}";
    }
    rows += "]";
    expected += "]";

    db.session().query(
        "INSERT INTO fuel.records (id, raw) SELECT (e->>'id')::bigint, e FROM "
        "jsonb_array_elements($1::jsonb) AS e",
        {rows});
    const auto wrong = db.session().query(R"(
        SELECT r.id::text, r.raw::text, r.litres::text, r.odometer_km::text, r.full_tank::text, r.fill_date::text,
               r.source_created_at::text, r.flags::text, e::text
        FROM jsonb_array_elements($1::jsonb) AS e
        JOIN fuel.records AS r ON r.id = (e->>'id')::bigint
        WHERE r.litres IS DISTINCT FROM (e->>'litres')::numeric
           OR r.odometer_km IS DISTINCT FROM (e->>'odometer')::integer
           OR r.full_tank IS DISTINCT FROM (e->>'full_tank')::boolean
           OR r.fill_date IS DISTINCT FROM (e->>'fill_date')::date
           OR (r.source_created_at IS NOT NULL) <> (e->>'created_ok')::boolean
           OR r.flags IS DISTINCT FROM ARRAY(SELECT jsonb_array_elements_text(e->'flags'))
        ORDER BY r.id LIMIT 5)",
                                          {expected});
    for (const auto& row : wrong) {
        std::string text;
        for (const auto& v : row) text += (v ? *v : "NULL") + " | ";
        UNSCOPED_INFO(text);
    }
    CHECK(wrong.empty());
    CHECK(db.session().scalar("SELECT count(*) FROM fuel.records") == "3000");
}

TEST_CASE(
    "Generated junk in every field at once, derivations included, never fails and only uses "
    "contract flags") {
    FuelDatabase db;
    Generator gen(4242);
    std::string rows = "[";
    const char* fields[] = {"litres",      "price_per_litre", "amount",      "odometer",
                            "fill_date",   "reported_at",     "created_at",  "updated_at",
                            "deleted_at",  "full_tank",       "vehicle_reg", "department",
                            "driver_name", "station",         "fuel_type",   "payment_method",
                            "receipt_no",  "message_id",      "notes"};
    for (int id = 1; id <= 2000; ++id) {
        rows += std::string(id == 1 ? "" : ",") + "{\"id\": " + std::to_string(id);
        for (const char* f : fields) {
            const int kind = gen.pick(3);
            const auto value = kind == 0   ? gen.number(false).json
                               : kind == 1 ? json_string(gen.junk())
                                           : gen.fill_date().json;
            if (!value.empty()) rows += std::string(", \"") + f + "\": " + value;
        }
        rows += "}";
    }
    rows += "]";
    db.session().query(
        "INSERT INTO fuel.records (id, raw) SELECT (e->>'id')::bigint, e FROM "
        "jsonb_array_elements($1::jsonb) AS e",
        {rows});
    // Each flag at most once and in the contract's order (the table's CHECK already limits the
    // names).
    CHECK(db.session().scalar(R"(
        SELECT count(*) FROM fuel.records
        WHERE flags <> ARRAY(SELECT f FROM unnest(ARRAY['unparseable_number', 'price_mismatch', 'derived_amount',
                                                        'derived_litres', 'derived_price_per_litre', 'unreadable_date',
                                                        'unparseable_bool']) WITH ORDINALITY AS c(f, n)
                             WHERE f = ANY (flags) ORDER BY n))") == "0");
    CHECK(db.session().scalar("SELECT count(*) FROM reporting.v_fuel_efficiency") != "");
    CHECK(db.session().scalar(
              "SELECT count(*) FROM fuel.records WHERE vehicle_reg !~ '^[A-Z0-9]+$'") == "0");
}
