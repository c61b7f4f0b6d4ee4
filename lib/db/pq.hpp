// Thin libpq wrappers: RAII handles and one small function per libpq call that reports failure
// plainly.
#pragma once

#include <libpq-fe.h>

#include <memory>
#include <string>
#include <string_view>

namespace ff::db::pq {

struct ResultDeleter {
    void operator()(PGresult* r) const noexcept { PQclear(r); }
};
struct ConnDeleter {
    void operator()(PGconn* c) const noexcept { PQfinish(c); }
};
struct CancelDeleter {
    void operator()(PGcancel* c) const noexcept { PQfreeCancel(c); }
};
struct ConninfoDeleter {
    void operator()(PQconninfoOption* o) const noexcept { PQconninfoFree(o); }
};

using ResultHandle = std::unique_ptr<PGresult, ResultDeleter>;
using ConnHandle = std::unique_ptr<PGconn, ConnDeleter>;
using ConninfoHandle = std::unique_ptr<PQconninfoOption, ConninfoDeleter>;
using CancelHandle = std::unique_ptr<PGcancel, CancelDeleter>;

// PQflush's return codes, named: the send loop's states follow them one to one.
enum class FlushState { failed = -1, done = 0, pending = 1 };

inline FlushState flush(PGconn* c) {
    return static_cast<FlushState>(PQflush(c));
}

// PQconsumeInput: false when the connection failed (the caller treats it as lost).
inline bool consume_input(PGconn* c) {
    return PQconsumeInput(c) == 1;
}

// PQputCopyData / PQputCopyEnd share these codes: -1 error, 0 no room yet (non-blocking), 1 queued.
enum class PutState { failed = -1, no_room = 0, queued = 1 };

inline PutState put_copy_data(PGconn* c, std::string_view data) {
    return static_cast<PutState>(PQputCopyData(c, data.data(), static_cast<int>(data.size())));
}
inline PutState put_copy_end(PGconn* c, const char* error_or_null) {
    return static_cast<PutState>(PQputCopyEnd(c, error_or_null));
}

// libpq's error text for the connection, on one line, without the trailing newline.
std::string error_message(const PGconn* c);

// The five-character SQLSTATE of a failed result, or "" when libpq made the error itself.
std::string sqlstate(const PGresult* r);

// One line describing a failed result: the server's primary message, plus detail and hint.
std::string result_error(const PGresult* r);

}  // namespace ff::db::pq
