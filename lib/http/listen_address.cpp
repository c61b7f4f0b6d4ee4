// Parsing of host:port strings; bracketed IPv6 literals allowed, port required and numeric.
#include "http/listen_address.hpp"

#include <charconv>
#include <stdexcept>

namespace ff::http {

HostPort parse_host_port(std::string_view text) {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos)
        throw std::invalid_argument("expected host:port, got \"" + std::string(text) + "\"");
    std::string_view host = text.substr(0, colon);
    const std::string_view port_text = text.substr(colon + 1);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    else if (host.find(':') != std::string_view::npos)
        throw std::invalid_argument("an IPv6 host needs brackets: \"" + std::string(text) + "\"");

    unsigned port = 0;
    const auto [end, ec] =
        std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (port_text.empty() || ec != std::errc{} || end != port_text.data() + port_text.size() ||
        port > 65535)
        throw std::invalid_argument("not a port number: \"" + std::string(port_text) + "\"");
    return {std::string(host), static_cast<std::uint16_t>(port)};
}

HostPort local_dial_address(std::string_view listen) {
    HostPort hp = parse_host_port(listen);
    if (hp.host.empty() || hp.host == "0.0.0.0") hp.host = "127.0.0.1";
    if (hp.host == "::") hp.host = "::1";
    return hp;
}

bool loopback_only(std::string_view listen) {
    const std::string host = parse_host_port(listen).host;
    return host == "localhost" || host == "::1" || host.starts_with("127.");
}

}  // namespace ff::http
