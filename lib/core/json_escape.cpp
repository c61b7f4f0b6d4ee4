// JSON string escaping; bytes >= 0x80 pass through (the input is expected to be UTF-8).
#include "core/json_escape.hpp"

namespace ff::json {

// Not shared with the two other escapers it resembles: JsonTree::write_string (lib/parse) writes
// the canonical text rows are hashed by, which must not change with this one, and
// ingest::detail::copy_field escapes COPY's text format, which is not JSON.
void escape_into(std::string& out, std::string_view text) {
    static constexpr char kHex[] = "0123456789abcdef";
    for (const char c : text) {
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            default:
                if (static_cast<unsigned char>(c) < 0x20) {
                    out += "\\u00";
                    out += kHex[(c >> 4) & 0xf];
                    out += kHex[c & 0xf];
                } else {
                    out += c;
                }
        }
    }
}

std::string quote(std::string_view text) {
    std::string out;
    out.reserve(text.size() + 2);
    out += '"';
    escape_into(out, text);
    out += '"';
    return out;
}

}  // namespace ff::json
