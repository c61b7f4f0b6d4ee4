// Beast/OpenSSL side of the S3 client: connect, TLS handshake, write, read header, read body.
// The only translation unit in lib/s3 that includes Beast.
#include "s3/s3_transport.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <vector>

#include "s3/errors.hpp"

namespace ff::s3 {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using error_code = boost::system::error_code;
using Plain = beast::tcp_stream;
using Tls = beast::ssl_stream<beast::tcp_stream>;

constexpr std::size_t chunk_size = 64 * 1024;
constexpr std::size_t max_idle_connections = 8;

struct Connection {
    std::unique_ptr<Plain> plain;  // exactly one of plain / tls is set
    std::unique_ptr<Tls> tls;
    beast::flat_buffer buffer;

    beast::tcp_stream& lowest() { return tls ? beast::get_lowest_layer(*tls) : *plain; }
};

bool is_verify_failure(const error_code& ec) {
    return ec.category() == net::error::get_ssl_category() &&
           ERR_GET_REASON(static_cast<unsigned long>(ec.value())) ==
               SSL_R_CERTIFICATE_VERIFY_FAILED;
}

S3Error fail(const error_code& ec, std::string_view step, const std::string& what) {
    const std::string where = what + ": " + std::string(step);
    if (ec == beast::error::timeout) return S3Error(ErrorKind::timeout, where + " timed out");
    if (is_verify_failure(ec))
        return S3Error(ErrorKind::tls, where + ": TLS certificate verification failed (" +
                                           ec.message() + "); trust the CA with RUSTFS_CA_FILE");
    return S3Error(ErrorKind::network, where + ": " + ec.message());
}

S3Error fail_body(const error_code& ec, const std::string& what, std::uint64_t received,
                  const std::optional<std::uint64_t>& expected) {
    const bool cut = ec == http::error::partial_message || ec == net::error::eof ||
                     ec == ssl::error::stream_truncated;
    if (!cut) return fail(ec, "read body", what);
    std::string text =
        what + ": connection closed after " + std::to_string(received) + " body bytes";
    if (expected) text += " of " + std::to_string(*expected);
    return S3Error(ErrorKind::short_body, text);
}

// One request/response on an open stream. `got_header` tells the caller whether the server
// answered at all (a stale keep-alive connection fails before that).
template <class Stream>
net::awaitable<Response> run_exchange(Stream& stream, Connection& conn, const HttpRequest& request,
                                      const std::string& what, BodyStream* body_stream,
                                      const TransportOptions& options, bool& got_header,
                                      bool& keep_alive) {
    error_code ec;
    auto& lowest = conn.lowest();

    // Send the request
    http::request<http::string_body> req{http::string_to_verb(request.method), request.target, 11};
    for (const auto& [name, value] : request.headers) req.insert(name, value);
    req.body() = request.body;
    req.prepare_payload();
    lowest.expires_after(options.read_timeout);
    co_await http::async_write(stream, req, net::redirect_error(net::use_awaitable, ec));
    if (ec) throw fail(ec, "write request", what);

    // Read the status line and headers; our own caps replace Beast's 8 MiB body limit
    http::response_parser<http::buffer_body> parser;
    parser.body_limit(boost::none);
    if (request.method == "HEAD") parser.skip(true);
    lowest.expires_after(options.read_timeout);
    co_await http::async_read_header(stream, conn.buffer, parser,
                                     net::redirect_error(net::use_awaitable, ec));
    if (ec) throw fail(ec, "read response header", what);
    got_header = true;

    Response response;
    auto& msg = parser.get();
    response.head.status = static_cast<int>(msg.result_int());
    if (auto length = parser.content_length()) response.head.content_length = *length;
    if (auto it = msg.find(http::field::etag); it != msg.end())
        response.head.etag = std::string(it->value());
    if (auto it = msg.find(http::field::last_modified); it != msg.end())
        response.head.last_modified = std::string(it->value());
    const bool streaming = body_stream != nullptr && response.head.status / 100 == 2;
    if (streaming && body_stream->on_head) body_stream->on_head(response.head);

    // Read the body chunk by chunk; the consumer's suspension is the backpressure
    std::vector<char> chunk(chunk_size);
    std::uint64_t received = 0;
    while (!parser.is_done()) {
        msg.body().data = chunk.data();
        msg.body().size = chunk.size();
        lowest.expires_after(options.read_timeout);
        co_await http::async_read(stream, conn.buffer, parser,
                                  net::redirect_error(net::use_awaitable, ec));
        if (ec == http::error::need_buffer) ec = {};
        if (ec) throw fail_body(ec, what, received, response.head.content_length);
        const std::size_t n = chunk.size() - msg.body().size;
        if (n == 0) continue;
        received += n;
        if (streaming) {
            co_await body_stream->on_chunk(std::string_view(chunk.data(), n));
        } else {
            if (response.body.size() + n > options.max_collected_body)
                throw S3Error(ErrorKind::too_large, what + ": response body larger than " +
                                                        std::to_string(options.max_collected_body) +
                                                        " bytes");
            response.body.append(chunk.data(), n);
        }
    }
    keep_alive = msg.keep_alive();
    co_return response;
}

}  // namespace

struct Transport::Impl {
    net::any_io_executor executor;
    Endpoint endpoint;
    TransportOptions options;
    ssl::context tls_context{ssl::context::tls_client};
    tcp::resolver resolver;
    std::vector<std::unique_ptr<Connection>> idle;

    Impl(net::any_io_executor ex, Endpoint ep, TransportOptions opts)
        : executor(std::move(ex)),
          endpoint(std::move(ep)),
          options(std::move(opts)),
          resolver(executor) {
        if (!endpoint.tls) return;
        // RUSTFS_CA_FILE pins: with it, only its CAs are trusted, not the system's as well, so
        // a certificate some public CA issued for the host is refused.
        if (options.ca_file.empty()) {
            tls_context.set_default_verify_paths();
        } else {
            error_code ec;
            tls_context.load_verify_file(options.ca_file, ec);
            if (ec)
                throw S3Error(ErrorKind::tls,
                              "cannot load CA file " + options.ca_file + ": " + ec.message());
        }
        tls_context.set_verify_mode(options.insecure_skip_verify ? ssl::verify_none
                                                                 : ssl::verify_peer);
    }

    net::awaitable<std::unique_ptr<Connection>> connect(const std::string& what) {
        error_code ec;

        // Look up the host
        auto results = co_await resolver.async_resolve(endpoint.host, endpoint.port,
                                                       net::redirect_error(net::use_awaitable, ec));
        if (ec) throw fail(ec, "resolve " + endpoint.host, what);

        auto conn = std::make_unique<Connection>();
        if (endpoint.tls)
            conn->tls = std::make_unique<Tls>(executor, tls_context);
        else
            conn->plain = std::make_unique<Plain>(executor);

        // Make the connection on one of the addresses
        conn->lowest().expires_after(options.connect_timeout);
        co_await conn->lowest().async_connect(results, net::redirect_error(net::use_awaitable, ec));
        if (ec) throw fail(ec, "connect to " + endpoint.host_header, what);
        if (!endpoint.tls) co_return conn;

        // Set SNI (names only, not IP literals) and the hostname check, then handshake
        error_code parse_ec;
        net::ip::make_address(endpoint.host, parse_ec);
        if (parse_ec &&
            !SSL_set_tlsext_host_name(conn->tls->native_handle(), endpoint.host.c_str()))
            throw S3Error(ErrorKind::tls, what + ": cannot set TLS server name");
        if (!options.insecure_skip_verify)
            conn->tls->set_verify_callback(ssl::host_name_verification(endpoint.host));
        conn->lowest().expires_after(options.tls_timeout);
        co_await conn->tls->async_handshake(ssl::stream_base::client,
                                            net::redirect_error(net::use_awaitable, ec));
        if (ec) throw fail(ec, "TLS handshake with " + endpoint.host_header, what);
        co_return conn;
    }

    net::awaitable<Response> run(Connection& conn, const HttpRequest& request,
                                 const std::string& what, BodyStream* body, bool& got_header,
                                 bool& keep_alive) {
        if (conn.tls)
            co_return co_await run_exchange(*conn.tls, conn, request, what, body, options,
                                            got_header, keep_alive);
        co_return co_await run_exchange(*conn.plain, conn, request, what, body, options, got_header,
                                        keep_alive);
    }
};

Transport::Transport(net::any_io_executor executor, Endpoint endpoint, TransportOptions options)
    : impl_(std::make_unique<Impl>(std::move(executor), std::move(endpoint), std::move(options))) {}

Transport::~Transport() = default;

net::awaitable<Response> Transport::exchange(const HttpRequest& request, std::string what,
                                             BodyStream* stream) {
    std::unique_ptr<Connection> conn;
    bool reused = false;
    if (!impl_->idle.empty()) {
        conn = std::move(impl_->idle.back());
        impl_->idle.pop_back();
        reused = true;
    } else {
        conn = co_await impl_->connect(what);
    }

    bool got_header = false, keep_alive = false;
    std::optional<Response> response;
    if (reused) {
        // The server may have closed an idle keep-alive connection; that is not a failed
        // attempt, so one fresh connection is tried before anything is reported.
        std::optional<S3Error> stale;
        try {
            response = co_await impl_->run(*conn, request, what, stream, got_header, keep_alive);
        } catch (const S3Error& e) {
            if (got_header || e.kind() != ErrorKind::network) throw;
            stale = e;
        }
        if (stale) conn = co_await impl_->connect(what);
    }
    if (!response)
        response = co_await impl_->run(*conn, request, what, stream, got_header, keep_alive);

    if (keep_alive && impl_->idle.size() < max_idle_connections)
        impl_->idle.push_back(std::move(conn));
    co_return std::move(*response);
}

}  // namespace ff::s3
