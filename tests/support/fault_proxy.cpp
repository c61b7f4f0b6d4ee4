// Blocking, one-connection-at-a-time fault proxy; every response closes its connection so each
// request arrives on a fresh one and gets exactly one planned fault.
#include "support/fault_proxy.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>
#include <chrono>

namespace s3test {

namespace net = boost::asio;
using tcp = net::ip::tcp;

FaultProxy::FaultProxy(const std::string& upstream)
    : acceptor_(io_, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0)) {
    const auto hostport = upstream.substr(upstream.find("://") + 3);
    upstream_host_ = hostport.substr(0, hostport.rfind(':'));
    upstream_port_ = hostport.substr(hostport.rfind(':') + 1);
    thread_ = std::thread([this] { serve(); });
}

FaultProxy::~FaultProxy() {
    stopping_ = true;
    // Wake the blocking accept with a connection of our own.
    boost::system::error_code ec;
    tcp::socket waker(io_);
    waker.connect(acceptor_.local_endpoint(), ec);
    thread_.join();
}

void FaultProxy::plan(std::vector<Fault> faults) {
    std::lock_guard lock(mutex_);
    faults_.assign(faults.begin(), faults.end());
}

std::string FaultProxy::endpoint() const {
    return "http://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port());
}

std::vector<std::string> FaultProxy::request_heads() {
    std::lock_guard lock(mutex_);
    return heads_;
}

FaultProxy::Fault FaultProxy::next_fault() {
    std::lock_guard lock(mutex_);
    if (faults_.empty()) return Fault::pass;
    const auto f = faults_.front();
    faults_.pop_front();
    return f;
}

void FaultProxy::serve() {
    while (!stopping_) {
        boost::system::error_code ec;
        tcp::socket client(io_);
        acceptor_.accept(client, ec);
        if (ec || stopping_) break;
        try {
            handle(std::move(client));
        } catch (const std::exception&) {
            // The client gave up on this connection (e.g. after its read timeout): next one.
        }
    }
}

void FaultProxy::handle(tcp::socket client) {
    // Read one request head (the fault tests send no request bodies through the proxy)
    std::string head;
    net::read_until(client, net::dynamic_buffer(head), "\r\n\r\n");
    head.resize(head.find("\r\n\r\n") + 4);
    {
        std::lock_guard lock(mutex_);
        heads_.push_back(head);
    }
    const Fault fault = next_fault();
    if (fault == Fault::stall) {
        char byte;
        boost::system::error_code ec;
        client.read_some(net::buffer(&byte, 1), ec);  // until the client hangs up
        return;
    }
    if (fault == Fault::status_503) {
        const std::string body =
            "<?xml version=\"1.0\"?><Error><Code>SlowDown</Code><Message>Please reduce your "
            "request rate.</Message></Error>";
        net::write(client, net::buffer("HTTP/1.1 503 Service Unavailable\r\nContent-Type: "
                                       "application/xml\r\nConnection: close\r\nContent-Length: " +
                                       std::to_string(body.size()) + "\r\n\r\n" + body));
        return;
    }

    // Forward with Connection: close (unsigned, so the signature still holds)
    tcp::resolver resolver(io_);
    tcp::socket upstream(io_);
    net::connect(upstream, resolver.resolve(upstream_host_, upstream_port_));
    std::string forwarded = head.substr(0, head.size() - 2) + "Connection: close\r\n\r\n";
    net::write(upstream, net::buffer(forwarded));
    std::string response;
    boost::system::error_code ec;
    net::read(upstream, net::dynamic_buffer(response), ec);  // to EOF
    if (fault == Fault::pass) {
        net::write(client, net::buffer(response));
        return;
    }

    // Send the head and half of the body, let the client consume it, then break the connection
    const auto body_start = response.find("\r\n\r\n") + 4;
    const auto cut = body_start + (response.size() - body_start) / 2;
    net::write(client, net::buffer(response.data(), cut));
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    if (fault == Fault::reset_mid_body)
        client.set_option(net::socket_base::linger(true, 0));
    else
        client.shutdown(tcp::socket::shutdown_both, ec);
    client.close(ec);
}

}  // namespace s3test
