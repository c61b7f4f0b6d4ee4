// The HTTP server for health, metrics and the read side: async on the caller's io_context.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "http/routes.hpp"

namespace boost::asio {
class io_context;
}

namespace ff::http {

// Why the server refused or cut a client; the values of fleetfuel_http_refused_total{reason}
// (the read side adds its own, see read/routes.hpp).
inline constexpr std::string_view kRefusedConnectionLimit = "connection_limit";
inline constexpr std::string_view kRefusedClientLimit = "client_limit";
inline constexpr std::string_view kRefusedEvicted = "evicted";
inline constexpr std::string_view kRefusedHeaderTimeout = "header_timeout";
inline constexpr std::string_view kRefusedMalformed = "malformed";
inline constexpr std::string_view kRefusedTooLarge = "too_large";
inline constexpr std::string_view kRefusedBusy = "busy";

struct ServerOptions {
    std::string listen = "0.0.0.0:8080";  // HTTP_LISTEN; port 0 picks a free port
    // Connections at once. When full, a new connection takes the slot of the connection that has
    // been sending its request (or idling) longest; see connection_slots.hpp.
    std::size_t max_connections = 256;
    std::size_t max_connections_per_client = 64;  // per remote address, the same way
    std::size_t reserved_connections = 32;        // never taken by requests that wait (analytics)
    // From the moment the server waits for a request (after accept, or after the previous
    // response) to the end of its header: one deadline, however slowly the bytes trickle in.
    std::chrono::milliseconds header_timeout{5'000};
    std::chrono::milliseconds read_timeout{10'000};   // the same, to the end of the body
    std::chrono::milliseconds write_timeout{10'000};  // per response
    std::uint32_t header_limit = 8 * 1024;            // larger headers get 431
    std::uint64_t body_limit = 16 * 1024;             // larger bodies get 413
    // Called once per refusal with one of the kRefused* reasons (the refusal metric).
    std::function<void(std::string_view reason)> on_refused;
};

// Destroy it before the io_context it runs on.
class Server {
  public:
    Server(boost::asio::io_context& io, Router router, ServerOptions options);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    // Binds and starts accepting. Throws std::system_error (or std::invalid_argument for a bad
    // listen string) when the address cannot be bound, so the daemon can exit with a message.
    void start();

    // The bound port (useful with port 0). Valid after start().
    std::uint16_t port() const;

    // Stops accepting and closes every connection. Safe from any thread; idempotent.
    void stop();

    // Open connections right now; read on the io thread.
    std::size_t connection_count() const;

    struct Impl;  // named here only so server.cpp's coroutines can take it

  private:
    std::shared_ptr<Impl> impl_;  // shared with the listener and session coroutines
};

}  // namespace ff::http
