// The HTTP server for health, metrics and later routes: async on the caller's io_context.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "http/routes.hpp"

namespace boost::asio {
class io_context;
}

namespace ff::http {

struct ServerOptions {
    std::string listen = "0.0.0.0:8080";              // HTTP_LISTEN; port 0 picks a free port
    std::size_t max_connections = 256;                // further connections are closed at once
    std::chrono::milliseconds read_timeout{10'000};   // per request, headers and body
    std::chrono::milliseconds write_timeout{10'000};  // per response
    std::uint32_t header_limit = 8 * 1024;            // larger headers get 431
    std::uint64_t body_limit = 16 * 1024;             // larger bodies get 413
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
