// CSV field writer: quoting by RFC 4180, formula prefixes made inert.
#include "read/csv.hpp"

namespace ff::read {
namespace {

// The first characters with which Excel, LibreOffice and Google Sheets start a formula (or, for
// tab and CR, which they skip before one).
bool starts_formula(std::string_view s) {
    if (s.empty()) return false;
    switch (s.front()) {
        case '=':
        case '+':
        case '-':
        case '@':
        case '\t':
        case '\r':
            return true;
        default:
            return false;
    }
}

}  // namespace

void append_csv_field(std::string& out, std::string_view field, CsvCell kind) {
    const bool inert = kind == CsvCell::text && starts_formula(field);
    const bool quoted = field.find_first_of(",\"\r\n") != std::string_view::npos;
    if (quoted) out += '"';
    if (inert) out += '\'';
    for (const char c : field) {
        if (c == '"') out += '"';
        out += c;
    }
    if (quoted) out += '"';
}

}  // namespace ff::read
