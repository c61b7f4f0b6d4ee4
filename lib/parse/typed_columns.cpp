// fuel.normalise (sql/R__010_normalise.sql) read in C++ for the shapes whose reading is certain;
// every other row is declined so the database normalises it. Numbers live in typed_numbers.cpp,
// dates and timestamps in typed_dates.cpp.
#include "parse/typed_columns.hpp"

#include <algorithm>
#include <array>

#include "parse/json_tree.hpp"
#include "parse/typed_dates.hpp"
#include "parse/typed_numbers.hpp"
#include "parse/typed_text.hpp"

namespace ff::parse {
namespace {

using detail::btrim;
using detail::DateRead;
using detail::is_ascii;
using detail::is_digit;
using detail::JsonTree;
using detail::Kind;
using detail::lower;
using detail::TimestampRead;
using detail::Written;
using Text = std::optional<std::string_view>;

// The 19 members fuel.normalise reads, each at most once per row.
enum Field {
    f_message_id,
    f_reported_at,
    f_created_at,
    f_updated_at,
    f_deleted_at,
    f_vehicle_reg,
    f_driver_name,
    f_department,
    f_station,
    f_receipt_no,
    f_notes,
    f_litres,
    f_price,
    f_amount,
    f_odometer,
    f_fuel_type,
    f_payment,
    f_full_tank,
    f_fill_date,
    field_count
};

// The field a member name is, or field_count: one comparison per member (by length, then the
// first letter) instead of a scan of the object per field.
Field field_of(std::string_view k) {
    auto is = [k](std::string_view name, Field f) { return k == name ? f : field_count; };
    switch (k.size()) {
        case 5:
            return is("notes", f_notes);
        case 6:
            return k[0] == 'l' ? is("litres", f_litres) : is("amount", f_amount);
        case 7:
            return is("station", f_station);
        case 8:
            return is("odometer", f_odometer);
        case 9:
            if (k[1] == 'u')
                return k[2] == 'e' ? is("fuel_type", f_fuel_type) : is("full_tank", f_full_tank);
            return is("fill_date", f_fill_date);
        case 10:
            switch (k[0]) {
                case 'm':
                    return is("message_id", f_message_id);
                case 'c':
                    return is("created_at", f_created_at);
                case 'u':
                    return is("updated_at", f_updated_at);
                case 'd':
                    return k[1] == 'e' && k[2] == 'l' ? is("deleted_at", f_deleted_at)
                                                      : is("department", f_department);
                case 'r':
                    return is("receipt_no", f_receipt_no);
                default:
                    return field_count;
            }
        case 11:
            switch (k[0]) {
                case 'r':
                    return is("reported_at", f_reported_at);
                case 'v':
                    return is("vehicle_reg", f_vehicle_reg);
                case 'd':
                    return is("driver_name", f_driver_name);
                default:
                    return field_count;
            }
        case 14:
            return is("payment_method", f_payment);
        case 15:
            return is("price_per_litre", f_price);
        default:
            return field_count;
    }
}

// `raw ->> 'name'` of the fields fuel.normalise reads; `declined` when it is not certain.
struct FieldReader {
    const JsonTree& tree;
    std::array<long, field_count> node;
    bool declined = false;

    // One pass over the members; a later duplicate replaces an earlier one, as in jsonb.
    FieldReader(const JsonTree& t, std::uint32_t object) : tree(t) {
        node.fill(-1);
        for (std::uint32_t j = object + 1; j < tree.node(object).end; j = tree.node(j).end) {
            const Field f = field_of(tree.key(j));
            if (f != field_count) node[f] = j;
        }
    }

    Text operator()(Field f) {
        const long m = node[f];
        if (m < 0) return std::nullopt;
        const auto i = static_cast<std::uint32_t>(m);
        switch (tree.node(i).kind) {
            case Kind::null_value:
                return std::nullopt;
            case Kind::true_value:
                return std::string_view("true");
            case Kind::false_value:
                return std::string_view("false");
            case Kind::string:
                return tree.val(i);
            case Kind::number:
                if (plain_json_number(tree.val(i))) return tree.val(i);
                break;
            default:
                break;  // objects and arrays read as their jsonb text: left to the database
        }
        declined = true;
        return std::nullopt;
    }

    // jsonb keeps a number as numeric, whose text is the written one unless it has an exponent
    // or is a negative zero (JSON already forbids leading zeros).
    static bool plain_json_number(std::string_view v) {
        if (v.find_first_of("eE") != std::string_view::npos) return false;
        return v[0] != '-' || v.find_first_not_of("-0.") != std::string_view::npos;
    }
};

// norm_collapse: runs of spaces and tabs become one space, then trimmed; '' is NULL.
std::optional<std::string> collapse(Text t) {
    if (!t) return std::nullopt;
    std::string out;
    out.reserve(t->size());
    bool gap = false;
    for (char c : *t) {
        if (c == ' ' || c == '\t') {
            gap = true;
            continue;
        }
        if (gap && !out.empty()) out += ' ';
        gap = false;
        out += c;
    }
    if (out.empty()) return std::nullopt;
    return out;
}

// norm_plate: before the first '/', only A-Za-z0-9 (a non-ASCII character goes whole), upper.
std::optional<std::string> plate(Text t) {
    if (!t) return std::nullopt;
    std::string out;
    for (char c : t->substr(0, t->find('/'))) {
        if (is_digit(c) || (c >= 'A' && c <= 'Z')) out += c;
        if (c >= 'a' && c <= 'z') out += static_cast<char>(c - 32);
    }
    if (out.empty()) return std::nullopt;
    return out;
}

// fuel.norm_title for ASCII: in each run of A-Za-z0-9 and apostrophes, the first character that
// is not an apostrophe upper case, every other letter lower case. Other text is declined: the
// SQL maps it by R__005's tables, which this reader does not carry.
bool title_case(std::optional<std::string>& s) {
    if (!s) return true;
    if (!is_ascii(*s)) return false;
    bool started = false;  // the current word has had its first letter or digit
    for (char& c : *s) {
        const char low = lower(c);
        const bool letter = low >= 'a' && low <= 'z';
        if (!letter && !is_digit(c)) {
            if (c != '\'') started = false;  // an apostrophe is inside the word
            continue;
        }
        c = letter && !started ? static_cast<char>(low - 32) : low;
        started = true;
    }
    return true;
}

// fuel.norm_lower for ASCII (A-Z and nothing else); other text is declined, as above.
bool lower_ascii(std::string& s) {
    if (!is_ascii(s)) return false;
    for (char& c : s) c = lower(c);
    return true;
}

// An empty or all-whitespace string is missing in every field (contract v1.1).
bool blank(Text t) {
    return !t || btrim(*t).empty();
}

bool read_fuel_type(Text t, std::optional<std::string>& out) {
    if (blank(t)) return true;
    std::string v(btrim(*t));
    if (!lower_ascii(v)) return false;
    if (v == "diesel" || v == "ago") v = "diesel";
#ifdef FF_TEST_NEXT_RULES
    // Only in the test-only build of tests/rules, which plays a newer release whose rules differ
    // from these in one visible rule (tests/rules/next_rules.cmake); never in a release.
    if (v == "gasoil") v = "diesel";
#endif
    if (v == "petrol" || v == "pms" || v == "super" || v == "unleaded") v = "petrol";
    out = std::move(v);
    return true;
}

bool read_payment(Text t, std::optional<std::string>& out) {
    if (!t) return true;
    std::string v;
    for (char c : *t)
        if (c != ' ' && c != '\t' && c != '-') v += c;
    if (!lower_ascii(v)) return false;
    if (!v.empty()) out = std::move(v);
    return true;
}

bool read_full_tank(Text t, std::optional<std::string>& out, bool& unparseable) {
    if (!t) return true;
    std::string v(btrim(*t));
    if (!lower_ascii(v)) return false;
    if (v == "true" || v == "yes" || v == "y" || v == "1") out = "t";
    if (v == "false" || v == "no" || v == "n" || v == "0") out = "f";
    unparseable = !out && !v.empty();
    return true;
}

std::string flags_text(bool bad_number, const detail::Derivation& d, bool bad_date, bool bad_bool) {
    std::string out = "{";
    auto add = [&out](bool on, const char* name) {
        if (!on) return;
        if (out.size() > 1) out += ',';
        out += name;
    };
    add(bad_number, "unparseable_number");
    add(d.mismatch, "price_mismatch");
    add(d.derived_amount, "derived_amount");
    add(d.derived_litres, "derived_litres");
    add(d.derived_price, "derived_price_per_litre");
    add(bad_date, "unreadable_date");
    add(bad_bool, "unparseable_bool");
    return out + "}";
}

using enum TypedColumn;

}  // namespace

std::optional<TypedColumns> normalise_row(const detail::JsonTree& tree, std::uint32_t object) {
    if (tree.node(object).kind != Kind::object || tree.sanitised(object)) return std::nullopt;
    FieldReader field{tree, object};
    TypedColumns out;
    TypedColumns& v = out;

    static constexpr std::pair<Field, TypedColumn> stamps[] = {{f_reported_at, reported_at},
                                                               {f_created_at, source_created_at},
                                                               {f_updated_at, source_updated_at},
                                                               {f_deleted_at, source_deleted_at}};
    Written reported;
    for (const auto& [name, col] : stamps) {
        Written w;
        const TimestampRead r = detail::read_timestamp(field(name), w);
        if (r == TimestampRead::decline) return std::nullopt;
        if (r == TimestampRead::value) v[col] = detail::timestamp_text(w);
        if (col == reported_at) reported = w;
    }

    v[message_id] = collapse(field(f_message_id));
    const Text reg = field(f_vehicle_reg);
    if (!blank(reg)) v[vehicle_reg_raw].emplace(*reg);
    v[vehicle_reg] = plate(reg);
    v[driver_name] = collapse(field(f_driver_name));
    v[department] = collapse(field(f_department));
    if (!title_case(v[department])) return std::nullopt;
    v[station] = collapse(field(f_station));
    v[receipt_no] = collapse(field(f_receipt_no));
    const Text note = field(f_notes);
    if (!blank(note)) v[notes].emplace(*note);

    detail::NumberField l, p, a;
    bool odometer_bad = false;
    if (!detail::read_number(field(f_litres), l) || !detail::read_number(field(f_price), p) ||
        !detail::read_number(field(f_amount), a) ||
        !detail::read_odometer(field(f_odometer), v[odometer_km], odometer_bad))
        return std::nullopt;
    const bool bad_number = l.unparseable || p.unparseable || a.unparseable || odometer_bad;
    detail::Derivation derivation;
    if (!detail::derive_amounts(l, p, a, derivation)) return std::nullopt;
    v[litres] = std::move(l.text);
    v[price_per_litre] = std::move(p.text);
    v[amount] = std::move(a.text);

    bool bad_bool = false;
    if (!read_fuel_type(field(f_fuel_type), v[fuel_type]) ||
        !read_payment(field(f_payment), v[payment_method]) ||
        !read_full_tank(field(f_full_tank), v[full_tank], bad_bool))
        return std::nullopt;

    std::string date;
    const DateRead fill = detail::read_fill_date(field(f_fill_date), date);
    if (fill == DateRead::decline) return std::nullopt;
    if (fill == DateRead::date) {
        v[fill_date] = std::move(date);
    } else if (v[reported_at]) {  // the Nairobi date of the report
        if (!detail::nairobi_date(reported, date)) return std::nullopt;
        v[fill_date] = std::move(date);
    }
    if (field.declined) return std::nullopt;
    v[flags] = flags_text(bad_number, derivation, fill == DateRead::unreadable, bad_bool);
    return out;
}

std::optional<TypedColumns> normalise_row_json(std::string_view row_json) {
    thread_local detail::JsonTree tree;  // not row_parser's: that one may be mid-row
    if (!tree.parse(row_json, 64)) return std::nullopt;
    return normalise_row(tree, 0);
}

std::optional<std::string> export_timestamp(std::string_view text) {
    detail::Written w;
    if (detail::read_timestamp(text, w) != detail::TimestampRead::value) return std::nullopt;
    return detail::timestamp_text(w);
}

}  // namespace ff::parse
