// Thin libpq wrappers: the text helpers that turn libpq's multi-line messages into one line.
#include "db/pq.hpp"

#include "core/secrets.hpp"

namespace ff::db::pq {
namespace {

// libpq messages end in "\n" and may span lines; logs and errors want one line.
std::string one_line(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char ch : text) {
        if (ch == '\n' || ch == '\r') {
            if (!out.empty() && out.back() != ' ') out += ' ';
        } else {
            out += ch;
        }
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return secrets::scrub(out);
}

std::string field(const PGresult* r, int code) {
    const char* v = PQresultErrorField(r, code);
    return v ? std::string(v) : std::string();
}

}  // namespace

std::string error_message(const PGconn* c) {
    if (c == nullptr) return "out of memory";
    return one_line(PQerrorMessage(c));
}

std::string sqlstate(const PGresult* r) {
    return r ? field(r, PG_DIAG_SQLSTATE) : std::string();
}

std::string result_error(const PGresult* r) {
    if (r == nullptr) return "no result";
    std::string primary = field(r, PG_DIAG_MESSAGE_PRIMARY);
    if (primary.empty()) return one_line(PQresultErrorMessage(r));
    std::string out = primary;
    if (auto detail = field(r, PG_DIAG_MESSAGE_DETAIL); !detail.empty())
        out += "; DETAIL: " + detail;
    if (auto hint = field(r, PG_DIAG_MESSAGE_HINT); !hint.empty()) out += "; HINT: " + hint;
    if (auto where = field(r, PG_DIAG_STATEMENT_POSITION); !where.empty())
        out += "; at character " + where;
    return one_line(out);
}

}  // namespace ff::db::pq
