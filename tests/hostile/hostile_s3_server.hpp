// A tiny misbehaving "S3" server for tests: each connection's request head is read, then a
// scripted reply (anything, valid HTTP or not) is written by the test's handler on its own thread.
#pragma once

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace fftest {

class HostileS3Server {
  public:
    // Gets the connection and the request head (up to the blank line); returns when done.
    using Handler = std::function<void(boost::asio::ip::tcp::socket&, const std::string& head)>;

    explicit HostileS3Server(Handler handler)
        : handler_(std::move(handler)),
          acceptor_(io_, {boost::asio::ip::make_address("127.0.0.1"), 0}) {
        acceptor_.non_blocking(true);
        thread_ = std::thread([this] { accept_loop(); });
    }
    ~HostileS3Server() {
        stopping_ = true;
        thread_.join();
        std::lock_guard lock(mutex_);
        for (auto& t : connections_) t.join();
    }

    std::string endpoint() const {
        return "http://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port());
    }
    int requests() const { return requests_; }
    bool stopping() const { return stopping_; }

    // Writes all of `bytes`; false when the client has gone (the usual end of a hostile reply).
    static bool write(boost::asio::ip::tcp::socket& socket, const std::string& bytes) {
        boost::system::error_code ec;
        boost::asio::write(socket, boost::asio::buffer(bytes), ec);
        return !ec;
    }

  private:
    void accept_loop() {
        while (!stopping_) {
            boost::system::error_code ec;
            auto socket = std::make_shared<boost::asio::ip::tcp::socket>(io_);
            acceptor_.accept(*socket, ec);
            if (ec) {
                std::this_thread::sleep_for(std::chrono::milliseconds(5));
                continue;
            }
            socket->non_blocking(false);
            std::lock_guard lock(mutex_);
            connections_.emplace_back([this, socket] { serve(*socket); });
        }
    }

    void serve(boost::asio::ip::tcp::socket& socket) {
        std::string head;
        boost::system::error_code ec;
        const auto n =
            boost::asio::read_until(socket, boost::asio::dynamic_buffer(head), "\r\n\r\n", ec);
        if (ec) return;
        ++requests_;
        handler_(socket, head.substr(0, n));
        socket.close(ec);
    }

    Handler handler_;
    boost::asio::io_context io_;
    boost::asio::ip::tcp::acceptor acceptor_;
    std::thread thread_;
    std::mutex mutex_;
    std::vector<std::thread> connections_;
    std::atomic<bool> stopping_{false};
    std::atomic<int> requests_{0};
};

}  // namespace fftest
