// Number reading and derivations of fuel.normalise, exact (integer arithmetic) or declined.
#include "parse/typed_numbers.hpp"

#include <algorithm>

#include "parse/typed_text.hpp"

namespace ff::parse::detail {
namespace {

using u128 = unsigned __int128;
using i128 = __int128;

// Every value below 10^38 fits an unsigned (and a signed) 128-bit integer.
constexpr int kMaxDigits = 37;

u128 pow10(int n) {
    u128 p = 1;
    while (n-- > 0) p *= 10;
    return p;
}

std::size_t count_digits(std::string_view s, std::size_t& i) {
    const std::size_t from = i;
    while (i < s.size() && is_digit(s[i])) ++i;
    return i - from;
}

// norm_plain_number: '^-?[0-9]+(\.[0-9]+)?$', at most 15 integer digits counting leading zeros.
bool plain_number(std::string_view s) {
    std::size_t i = !s.empty() && s[0] == '-' ? 1 : 0;
    const std::size_t whole = count_digits(s, i);
    if (whole == 0 || whole > 15) return false;
    if (i == s.size()) return true;
    if (s[i] != '.') return false;
    ++i;
    const std::size_t frac = count_digits(s, i);
    return frac > 0 && frac <= 100 && i == s.size();
}

// norm_cleaned_number: '^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$', 15 integer digits after leading
// zeros, 100 fraction digits.
bool cleaned_number(std::string_view s) {
    std::size_t i = !s.empty() && (s[0] == '+' || s[0] == '-') ? 1 : 0;
    std::size_t zeros = 0;
    while (i < s.size() && s[i] == '0') ++i, ++zeros;
    const std::size_t whole = count_digits(s, i) + zeros;
    if (whole - zeros > 15) return false;
    if (i == s.size()) return whole > 0;
    if (s[i] != '.') return false;
    ++i;
    const std::size_t frac = count_digits(s, i);
    return i == s.size() && frac <= 100 && whole + frac > 0;
}

// numeric_in of a text the shapes above accept.
Decimal to_decimal(std::string_view s) {
    Decimal d;
    std::size_t i = 0;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) d.negative = s[i++] == '-';
    bool after_point = false;
    for (; i < s.size(); ++i) {
        if (s[i] == '.') {
            after_point = true;
            continue;
        }
        if (after_point) ++d.scale;
        if (d.digits == 0 && s[i] == '0') continue;
        if (++d.digits > 18) d.small = false;
        if (d.small) d.unscaled = d.unscaled * 10 + static_cast<unsigned>(s[i] - '0');
    }
    d.zero = d.digits == 0;
    if (d.zero) d.negative = false;
    return d;
}

bool iequals_at(std::string_view s, std::size_t at, std::string_view word) {
    if (at + word.size() > s.size()) return false;
    for (std::size_t k = 0; k < word.size(); ++k) {
        char c = s[at + k];
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
        if (c != word[k]) return false;
    }
    return true;
}

// norm_clean_lead: '^((kes|ksh)\.?)+' in any case. Greedy is longest: each word starts with a
// letter, so taking its full stop can only let the match go on.
std::string_view strip_lead(std::string_view t) {
    if (t.empty() || (t[0] != 'k' && t[0] != 'K')) return t;
    std::size_t at = 0;
    while (iequals_at(t, at, "kes") || iequals_at(t, at, "ksh")) {
        at += 3;
        if (at < t.size() && t[at] == '.') ++at;
    }
    return t.substr(at);
}

// norm_clean_trail: '((kes|ksh)\.?|ltrs|km|l|/=)+$' in any case. The leftmost match is the longest
// suffix made of those words, found by marking from the end which suffixes are made of them.
std::string_view strip_trail(std::string_view t) {
    static constexpr std::string_view words[] = {"kes",  "kes.", "ksh", "ksh.",
                                                 "ltrs", "km",   "l",   "/="};
    if (t.empty() || std::string_view("sShHmMlL=.").find(t.back()) == std::string_view::npos)
        return t;
    bool ok[202] = {};  // t is at most 200 characters
    const std::size_t n = t.size();
    ok[n] = true;
    std::size_t cut = n;
    for (std::size_t i = n; i-- > 0;) {
        for (std::string_view w : words) {
            if (i + w.size() <= n && ok[i + w.size()] && iequals_at(t, i, w)) ok[i] = true;
        }
        if (ok[i]) cut = i;
    }
    return t.substr(0, cut);
}

// norm_clean_commas: ',(?=[0-9]{3}([^0-9]|$))' removed everywhere, judged on the text before.
std::string drop_commas(std::string_view t) {
    std::string out;
    out.reserve(t.size());
    for (std::size_t i = 0; i < t.size(); ++i) {
        const bool thousands = t[i] == ',' && i + 3 < t.size() && is_digit(t[i + 1]) &&
                               is_digit(t[i + 2]) && is_digit(t[i + 3]) &&
                               (i + 4 == t.size() || !is_digit(t[i + 4]));
        if (!thousands) out += t[i];
    }
    return out;
}

enum class Cleaned { blank, text, decline };

// fuel.clean_number's steps after the plain fast path: translate, lead, trail, commas.
Cleaned clean(std::string_view raw, std::string& out) {
    std::string t0;
    t0.reserve(raw.size());
    for (char c : raw)
        if (c != ' ' && c != '\t') t0 += c;
    if (t0.empty()) return Cleaned::blank;
    if (t0.size() > 200) return Cleaned::decline;  // rare; the SQL turns it into '?'
    out = drop_commas(strip_trail(strip_lead(t0)));
    return Cleaned::text;
}

std::string u128_text(u128 v) {
    char buf[48];
    int n = 0;
    do {
        buf[n++] = static_cast<char>('0' + static_cast<int>(v % 10));
        v /= 10;
    } while (v != 0);
    std::string out(buf, static_cast<std::size_t>(n));
    std::reverse(out.begin(), out.end());
    return out;
}

// A numeric of scale 2 from |value| * 100, as numeric_out prints it (no negative zero).
std::string cents_text(bool negative, u128 cents) {
    std::string digits = u128_text(cents);
    if (digits.size() < 3) digits.insert(0, 3 - digits.size(), '0');
    digits.insert(digits.size() - 2, 1, '.');
    return negative && cents != 0 ? "-" + digits : digits;
}

// round(x, s) on |x| * 10^from: half away from zero, as numeric's round_var.
bool rescale(u128 v, int from, int to, u128& out) {
    if (from <= to) {
        if (to - from > kMaxDigits || v >= pow10(kMaxDigits - (to - from))) return false;
        out = v * pow10(to - from);
        return true;
    }
    if (from - to > kMaxDigits) return false;
    const u128 d = pow10(from - to);
    out = v / d + (v % d >= d - v % d ? 1 : 0);
    return true;
}

// PostgreSQL's weight (position in base 10000) and leading base-10000 digit of a nonzero value.
void nbase_lead(const Decimal& d, int& weight, int& first) {
    const int e = d.digits - 1 - d.scale;  // decimal exponent of the leading digit
    weight = e >= 0 ? e / 4 : -((-e + 3) / 4);
    const int k = d.scale + 4 * weight;  // value / 10000^weight = unscaled / 10^k
    first = static_cast<int>(k >= 0 ? d.unscaled / static_cast<std::uint64_t>(pow10(k))
                                    : d.unscaled * static_cast<std::uint64_t>(pow10(-k)));
}

// numeric_div's select_div_scale: at least 16 significant digits, no less than either dscale.
int division_scale(const Decimal& a, const Decimal& b) {
    int w1 = 0, f1 = 0, w2 = 0, f2 = 0;
    if (!a.zero) nbase_lead(a, w1, f1);
    if (!b.zero) nbase_lead(b, w2, f2);
    int qweight = w1 - w2;
    if (f1 <= f2) --qweight;
    const int rscale = std::max({16 - qweight * 4, a.scale, b.scale, 0});
    return std::min(rscale, 1000);
}

// round(a / b, 2): numeric_div rounds the quotient at division_scale, then round() at 2.
bool divide_round2(const Decimal& a, const Decimal& b, std::string& out) {
    if (!a.small || !b.small || b.zero) return false;
    if (a.zero) {
        out = "0.00";
        return true;
    }
    const int r = division_scale(a, b);
    const int e = b.scale + r - a.scale;  // q * 10^r = A * 10^e / B (or A / (B * 10^-e))
    if (a.digits + std::max(e, 0) > kMaxDigits || b.digits + std::max(-e, 0) > kMaxDigits)
        return false;
    const u128 num = u128(a.unscaled) * pow10(std::max(e, 0));
    const u128 den = u128(b.unscaled) * pow10(std::max(-e, 0));
    const u128 rem = num % den;
    const u128 q = num / den + (rem >= den - rem ? 1 : 0);
    u128 cents = 0;
    if (!rescale(q, r, 2, cents)) return false;
    out = cents_text(a.negative != b.negative, cents);
    return true;
}

// round(l * p, 2): the product is exact at scale l.scale + p.scale.
bool multiply_round2(const Decimal& l, const Decimal& p, std::string& out) {
    if (!l.small || !p.small) return false;
    u128 cents = 0;
    if (!rescale(u128(l.unscaled) * p.unscaled, l.scale + p.scale, 2, cents)) return false;
    out = cents_text(l.negative != p.negative, cents);
    return true;
}

// abs(l * p - a) > 0.02 * abs(a), all exact at one common scale.
bool price_mismatch(const Decimal& l, const Decimal& p, const Decimal& a, bool& mismatch) {
    if (!l.small || !p.small || !a.small) return false;
    const int s = std::max(l.scale + p.scale, a.scale + 2);
    const int lp_shift = s - l.scale - p.scale, a_shift = s - a.scale;
    if (std::max(l.digits, 1) + std::max(p.digits, 1) + lp_shift > kMaxDigits ||
        std::max(a.digits, 1) + a_shift > kMaxDigits)
        return false;
    i128 lp = static_cast<i128>(u128(l.unscaled) * p.unscaled * pow10(lp_shift));
    if (l.negative != p.negative) lp = -lp;
    i128 am = static_cast<i128>(u128(a.unscaled) * pow10(a_shift));
    if (a.negative) am = -am;
    const i128 diff = lp - am;
    const i128 tolerance = static_cast<i128>(2 * u128(a.unscaled) * pow10(a_shift - 2));
    mismatch = (diff < 0 ? -diff : diff) > tolerance;
    return true;
}

}  // namespace

bool read_number(std::optional<std::string_view> raw, NumberField& out) {
    out = NumberField{};
    if (!raw) return true;
    if (!is_ascii(*raw)) return false;  // lengths and regexps count characters: keep to ASCII
    if (plain_number(*raw)) {
        out.text.emplace(*raw);
        out.value = to_decimal(*raw);
        return true;
    }
    std::string c;
    const Cleaned cleaned = clean(*raw, c);
    if (cleaned == Cleaned::decline) return false;
    if (cleaned == Cleaned::blank) return true;  // only spaces and tabs: missing, no flag
    if (!cleaned_number(c)) {
        out.unparseable = true;
        return true;
    }
    out.value = to_decimal(c);
    out.text = std::move(c);
    return true;
}

bool read_odometer(std::optional<std::string_view> raw, std::optional<std::string>& out,
                   bool& unparseable) {
    out.reset();
    unparseable = false;
    if (!raw) return true;
    if (!is_ascii(*raw)) return false;
    std::string_view digits;
    std::string c;
    std::size_t i = 0;
    // norm_plain_odometer: '^[0-9]+$' of at most 10 characters, leading zeros counted.
    if (!raw->empty() && count_digits(*raw, i) == raw->size() && raw->size() <= 10) {
        digits = *raw;
    } else {
        const Cleaned cleaned = clean(*raw, c);
        if (cleaned == Cleaned::decline) return false;
        if (cleaned == Cleaned::blank) return true;
        // norm_cleaned_odometer: '^\+?[0-9]+(\.0*)?$', 10 digits after leading zeros.
        std::string_view t = c;
        if (!t.empty() && t[0] == '+') t.remove_prefix(1);
        std::size_t j = 0;
        const std::size_t whole = count_digits(t, j);
        bool ok = whole > 0;
        if (ok && j < t.size()) {
            ok = t[j] == '.' && t.find_first_not_of('0', j + 1) == std::string_view::npos;
        }
        digits = t.substr(0, whole);
        while (digits.size() > 1 && digits[0] == '0') digits.remove_prefix(1);
        if (!ok || digits.size() > 10) {
            unparseable = true;
            return true;
        }
    }
    std::uint64_t v = 0;
    for (char d : digits) v = v * 10 + static_cast<unsigned>(d - '0');
    if (v > 2147483647) {
        unparseable = true;
        return true;
    }
    out = std::to_string(v);
    return true;
}

bool derive_amounts(NumberField& litres, NumberField& price, NumberField& amount, Derivation& d) {
    d = Derivation{};
    const bool l = litres.text.has_value(), p = price.text.has_value(), a = amount.text.has_value();
    std::string derived;
    if (!a && l && p) {
        if (!multiply_round2(litres.value, price.value, derived)) return false;
        amount.text = std::move(derived);
        d.derived_amount = true;
    } else if (!p && l && a && !litres.value.zero) {
        if (!divide_round2(amount.value, litres.value, derived)) return false;
        price.text = std::move(derived);
        d.derived_price = true;
    } else if (!l && a && p && !price.value.zero) {
        if (!divide_round2(amount.value, price.value, derived)) return false;
        litres.text = std::move(derived);
        d.derived_litres = true;
    } else if (a && l && p) {
        return price_mismatch(litres.value, price.value, amount.value, d.mismatch);
    }
    return true;
}

}  // namespace ff::parse::detail
