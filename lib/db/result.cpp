// An owned PGresult with text accessors.
#include "db/result.hpp"

#include <charconv>
#include <stdexcept>
#include <string>

#include "db/pq.hpp"

namespace ff::db {

Result::Result(pg_result* r) : res_(r) {}

Result::Result(Result&& other) noexcept : res_(other.res_) {
    other.res_ = nullptr;
}

Result& Result::operator=(Result&& other) noexcept {
    if (this != &other) {
        if (res_) PQclear(res_);
        res_ = other.res_;
        other.res_ = nullptr;
    }
    return *this;
}

Result::~Result() {
    if (res_) PQclear(res_);
}

int Result::rows() const {
    return res_ ? PQntuples(res_) : 0;
}

int Result::columns() const {
    return res_ ? PQnfields(res_) : 0;
}

bool Result::is_null(int row, int col) const {
    if (!res_ || row < 0 || row >= rows() || col < 0 || col >= columns())
        throw std::out_of_range("result: no cell (" + std::to_string(row) + ", " +
                                std::to_string(col) + ")");
    return PQgetisnull(res_, row, col) == 1;
}

std::string_view Result::get(int row, int col) const {
    if (is_null(row, col)) return {};
    return {PQgetvalue(res_, row, col), static_cast<std::size_t>(PQgetlength(res_, row, col))};
}

std::optional<std::string> Result::get_opt(int row, int col) const {
    if (is_null(row, col)) return std::nullopt;
    return std::string(get(row, col));
}

long long Result::get_int(int row, int col) const {
    if (is_null(row, col))
        throw std::runtime_error("result: NULL where an integer was expected (column " +
                                 std::string(PQfname(res_, col)) + ")");
    const auto text = get(row, col);
    long long value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size())
        throw std::runtime_error("result: not an integer in column " +
                                 std::string(PQfname(res_, col)) + ": \"" + std::string(text) +
                                 "\"");
    return value;
}

long long Result::affected_rows() const {
    if (!res_) return 0;
    const char* text = PQcmdTuples(res_);
    if (text == nullptr || *text == '\0') return 0;
    return std::stoll(text);
}

int Result::column_index(const char* name) const {
    return res_ ? PQfnumber(res_, name) : -1;
}

}  // namespace ff::db
