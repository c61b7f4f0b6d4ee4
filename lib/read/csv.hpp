// RFC 4180 CSV fields, with text that a spreadsheet would run as a formula made inert.
#pragma once

#include <string>
#include <string_view>

namespace ff::read {

// What a CSV cell holds. Text comes from people (a driver's name, a note) and may start with
// anything; a value is written by FleetFuel itself (a number, a date, a flag) and never starts a
// formula, so it is left as it is: a negative amount stays a number.
enum class CsvCell { text, value };

// Appends one field to `out`. Text starting with =, +, -, @, a tab or a carriage return gets a
// leading apostrophe, which spreadsheets read as "this is text" and do not show (OWASP's advice
// for CSV injection). A field holding a comma, a double quote, CR or LF is quoted, its quotes
// doubled (RFC 4180). NULL and the empty string are both an empty field.
void append_csv_field(std::string& out, std::string_view field, CsvCell kind);

// Ends a record: CRLF, as RFC 4180 asks.
inline void end_csv_record(std::string& out) {
    out += "\r\n";
}

}  // namespace ff::read
