// A Server on 127.0.0.1:0 running on its own io thread, and a tiny blocking HTTP client.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <future>
#include <string>
#include <thread>

#include "http/server.hpp"

namespace fftest {

class ServerThread {
  public:
    ServerThread(ff::http::Router router, ff::http::ServerOptions options = {})
        : server_(io_, std::move(router), with_loopback(std::move(options))) {
        server_.start();
        thread_ = std::thread([this] { io_.run(); });
    }
    ~ServerThread() { stop(); }

    // Stops the server and waits until every session coroutine has ended (run() returns).
    void stop() {
        if (!thread_.joinable()) return;
        server_.stop();
        thread_.join();
    }

    std::uint16_t port() const { return server_.port(); }
    boost::asio::io_context& io() { return io_; }

    // Runs `f` on the io thread and returns its result.
    template <class F>
    auto on_io(F f) {
        std::packaged_task<decltype(f())()> task(std::move(f));
        auto result = task.get_future();
        boost::asio::post(io_, [&task] { task(); });
        return result.get();
    }

    std::size_t connections() {
        return on_io([this] { return server_.connection_count(); });
    }

  private:
    static ff::http::ServerOptions with_loopback(ff::http::ServerOptions o) {
        if (o.listen == ff::http::ServerOptions{}.listen) o.listen = "127.0.0.1:0";
        return o;
    }

    boost::asio::io_context io_;
    ff::http::Server server_;
    std::thread thread_;
};

// A blocking client connection, for tests only.
class Client {
  public:
    explicit Client(std::uint16_t port) : socket_(io_) {
        socket_.connect({boost::asio::ip::make_address("127.0.0.1"), port});
    }

    void send_raw(const std::string& bytes) {
        boost::asio::write(socket_, boost::asio::buffer(bytes));
    }

    void send(const std::string& method, const std::string& target, bool keep_alive = true) {
        namespace bhttp = boost::beast::http;
        bhttp::request<bhttp::string_body> req{bhttp::string_to_verb(method), target, 11};
        req.set(bhttp::field::host, "127.0.0.1");
        req.keep_alive(keep_alive);
        bhttp::write(socket_, req);
    }

    // The next response; throws boost::system::system_error when the server closed instead.
    boost::beast::http::response<boost::beast::http::string_body> receive(bool head = false) {
        namespace bhttp = boost::beast::http;
        bhttp::response_parser<bhttp::string_body> parser;
        parser.skip(head);
        bhttp::read(socket_, buffer_, parser);
        return parser.release();
    }

    auto get(const std::string& target) {
        send("GET", target);
        return receive();
    }

    // True when the server has closed the connection (end of stream or reset) without a response.
    bool closed_by_server() {
        char byte;
        boost::system::error_code ec;
        const auto n = socket_.read_some(boost::asio::buffer(&byte, 1), ec);
        return n == 0 && ec;
    }

  private:
    boost::asio::io_context io_;
    boost::asio::ip::tcp::socket socket_;
    boost::beast::flat_buffer buffer_;
};

}  // namespace fftest
