// HTTP_LISTEN values ("0.0.0.0:8080", "[::1]:8080", "localhost:9000") split into host and port.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ff::http {

struct HostPort {
    std::string host;  // without brackets
    std::uint16_t port = 0;
};

// Throws std::invalid_argument with a one-line message when `text` is not host:port.
HostPort parse_host_port(std::string_view text);

// The address a local client should dial to reach a server listening on `listen`: a wildcard
// host (0.0.0.0, ::, empty) becomes the loopback address of the same family.
HostPort local_dial_address(std::string_view listen);

// True when a server listening on `listen` can only be reached from this machine: 127.x.x.x,
// ::1 or localhost. A wildcard, a LAN address or another host name can be reached from beyond.
bool loopback_only(std::string_view listen);

}  // namespace ff::http
