// Blocking libpq test helpers.
#include "support/pg_test.hpp"

#include <catch2/catch.hpp>

#include "support/test_env.hpp"

namespace fftest {

std::string with_database(const std::string& url, const std::string& dbname) {
    const auto query = url.find('?');
    const std::string base = url.substr(0, query);
    const std::string rest = query == std::string::npos ? "" : url.substr(query);
    const auto slash = base.rfind('/');
    REQUIRE(slash != std::string::npos);
    REQUIRE(slash > base.find("//") + 1);
    return base.substr(0, slash + 1) + dbname + rest;
}

namespace {

// FF_TEST_DATABASE_LOCALE as CREATE DATABASE options, and the pg_database row that proves them.
struct LocaleOptions {
    std::string sql;       // appended to CREATE DATABASE name
    std::string provider;  // pg_database.datlocprovider expected ('' when not checked)
    std::string locale;    // daticulocale (icu) or datcollate (libc) expected
};

LocaleOptions locale_options() {
    const std::string spec = database_locale();
    if (spec.empty()) return {};
    const auto colon = spec.find(':');
    const std::string provider = spec.substr(0, colon);
    const std::string locale = colon == std::string::npos ? "" : spec.substr(colon + 1);
    const bool valid_name =
        !locale.empty() &&
        locale.find_first_not_of(
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.@") ==
            std::string::npos;
    if (!valid_name || (provider != "icu" && provider != "libc"))
        FAIL("FF_TEST_DATABASE_LOCALE=" << spec << ": expected icu:<locale> or libc:<locale>");
    if (provider == "icu")
        return {" TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE '" + locale + "'", "i", locale};
    return {" TEMPLATE template0 LOCALE_PROVIDER libc LOCALE '" + locale + "'", "c", locale};
}

}  // namespace

ScratchDatabase::ScratchDatabase() : name_(unique_name("ff_test_")) {
    PgSession admin(database_url());
    const LocaleOptions options = locale_options();
    admin.exec("CREATE DATABASE " + name_ + options.sql);
    if (!options.provider.empty()) {
        // A run that asked for another locale must really get it, or it proves nothing.
        const auto got = admin.query(
            "SELECT datlocprovider::text, CASE datlocprovider WHEN 'i' THEN daticulocale "
            "ELSE datcollate END FROM pg_database WHERE datname = $1",
            {name_});
        REQUIRE(got.size() == 1);
        REQUIRE(got[0][0] == options.provider);
        REQUIRE(got[0][1] == options.locale);
    }
    url_ = with_database(database_url(), name_);
}

ScratchDatabase::~ScratchDatabase() {
    PGconn* c = PQconnectdb(database_url().c_str());
    if (PQstatus(c) == CONNECTION_OK) {
        PGresult* r = PQexec(c, ("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)").c_str());
        PQclear(r);
    }
    PQfinish(c);
}

PgSession::PgSession(const std::string& url) : conn_(PQconnectdb(url.c_str())) {
    if (PQstatus(conn_) != CONNECTION_OK) {
        const std::string msg = PQerrorMessage(conn_);
        PQfinish(conn_);
        conn_ = nullptr;
        FAIL("cannot connect to test database: " << msg);
    }
    PGresult* r = PQexec(conn_, "SET client_min_messages = warning");
    PQclear(r);
}

PgSession::~PgSession() {
    if (conn_) PQfinish(conn_);
}

void PgSession::exec(const std::string& sql) {
    PGresult* r = PQexec(conn_, sql.c_str());
    const auto status = PQresultStatus(r);
    const std::string msg = PQresultErrorMessage(r);
    PQclear(r);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
        FAIL("SQL failed: " << msg << "\n" << sql);
}

std::vector<Row> PgSession::query(const std::string& sql,
                                  const std::vector<std::optional<std::string>>& params) {
    std::vector<const char*> values;
    for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
    PGresult* r = PQexecParams(conn_, sql.c_str(), static_cast<int>(values.size()), nullptr,
                               values.data(), nullptr, nullptr, 0);
    const auto status = PQresultStatus(r);
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
        const std::string msg = PQresultErrorMessage(r);
        PQclear(r);
        FAIL("SQL failed: " << msg << "\n" << sql);
    }
    std::vector<Row> rows;
    for (int i = 0; i < PQntuples(r); ++i) {
        Row row;
        for (int j = 0; j < PQnfields(r); ++j) {
            if (PQgetisnull(r, i, j))
                row.emplace_back(std::nullopt);
            else
                row.emplace_back(std::string(PQgetvalue(r, i, j), PQgetlength(r, i, j)));
        }
        rows.push_back(std::move(row));
    }
    PQclear(r);
    return rows;
}

std::string PgSession::scalar(const std::string& sql,
                              const std::vector<std::optional<std::string>>& params) {
    auto rows = query(sql, params);
    REQUIRE(!rows.empty());
    REQUIRE(!rows[0].empty());
    REQUIRE(rows[0][0].has_value());
    return *rows[0][0];
}

std::string PgSession::error_of(const std::string& sql) {
    PGresult* r = PQexec(conn_, sql.c_str());
    const auto status = PQresultStatus(r);
    const std::string msg = PQresultErrorMessage(r);
    PQclear(r);
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK)
        FAIL("expected this SQL to fail, but it succeeded:\n" << sql);
    return msg;
}

}  // namespace fftest
