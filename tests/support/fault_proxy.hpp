// A small fault-injecting HTTP proxy on 127.0.0.1 for the S3 fault tests: it forwards requests
// to the real server and, as planned, answers 503, cuts or resets the body, or stalls.
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace s3test {

class FaultProxy {
  public:
    enum class Fault { pass, status_503, reset_mid_body, cut_short, stall };

    // `upstream` is http://host:port of the real server.
    explicit FaultProxy(const std::string& upstream);
    ~FaultProxy();

    // Faults for the next requests, in order; requests after them pass through.
    void plan(std::vector<Fault> faults);
    std::string endpoint() const;
    std::vector<std::string> request_heads();  // every request's head as received

  private:
    void serve();
    void handle(boost::asio::ip::tcp::socket client);
    Fault next_fault();

    std::string upstream_host_, upstream_port_;
    boost::asio::io_context io_;
    boost::asio::ip::tcp::acceptor acceptor_;
    std::mutex mutex_;
    std::deque<Fault> faults_;
    std::vector<std::string> heads_;
    std::atomic<bool> stopping_{false};
    std::thread thread_;
};

}  // namespace s3test
