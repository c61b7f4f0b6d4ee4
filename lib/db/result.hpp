// An owned PGresult with text accessors.
#pragma once

#include <optional>
#include <string>
#include <string_view>

struct pg_result;

namespace ff::db {

class Result {
  public:
    Result() = default;
    explicit Result(pg_result* r);
    Result(Result&& other) noexcept;
    Result& operator=(Result&& other) noexcept;
    ~Result();
    Result(const Result&) = delete;
    Result& operator=(const Result&) = delete;

    int rows() const;
    int columns() const;
    bool is_null(int row, int col) const;
    std::string_view get(int row, int col) const;  // "" for NULL
    std::optional<std::string> get_opt(int row, int col) const;
    long long get_int(int row, int col) const;  // throws if NULL or not an integer
    long long affected_rows() const;            // PQcmdTuples, 0 when none
    int column_index(const char* name) const;   // -1 when absent

  private:
    pg_result* res_ = nullptr;
};

}  // namespace ff::db
