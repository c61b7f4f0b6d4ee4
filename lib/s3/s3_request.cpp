// Endpoint parsing and signed request construction for path-style S3 requests.
#include "s3/s3_request.hpp"

#include <stdexcept>

namespace ff::s3 {

Endpoint parse_endpoint(std::string_view url) {
    Endpoint e;
    std::string_view rest;
    if (url.starts_with("https://")) {
        e.tls = true;
        rest = url.substr(8);
    } else if (url.starts_with("http://")) {
        rest = url.substr(7);
    } else {
        throw std::invalid_argument("endpoint must start with http:// or https://");
    }
    if (rest.ends_with('/')) rest.remove_suffix(1);
    if (rest.empty() || rest.find('/') != std::string_view::npos)
        throw std::invalid_argument("endpoint must be scheme://host[:port] with no path");
    std::string_view host = rest, port;
    if (rest.front() == '[') {
        const auto close = rest.find(']');
        if (close == std::string_view::npos) throw std::invalid_argument("bad IPv6 endpoint");
        host = rest.substr(1, close - 1);
        if (close + 1 < rest.size() && rest[close + 1] == ':') port = rest.substr(close + 2);
    } else if (const auto colon = rest.rfind(':'); colon != std::string_view::npos) {
        host = rest.substr(0, colon);
        port = rest.substr(colon + 1);
    }
    if (host.empty()) throw std::invalid_argument("endpoint has no host");
    const std::string default_port = e.tls ? "443" : "80";
    e.host = host;
    e.port = port.empty() ? default_port : std::string(port);
    const bool v6 = e.host.find(':') != std::string::npos;
    e.host_header = v6 ? "[" + e.host + "]" : e.host;
    if (e.port != default_port) e.host_header += ":" + e.port;
    return e;
}

HttpRequest build_request(sigv4::Signer& signer, const Endpoint& endpoint, std::string method,
                          std::string_view bucket, std::string_view key, sigv4::Pairs query,
                          sigv4::Pairs extra_headers, std::string body,
                          std::chrono::system_clock::time_point now) {
    sigv4::Request req;
    req.method = std::move(method);
    req.path = "/" + std::string(bucket);
    if (!key.empty()) req.path += "/" + std::string(key);
    req.query = std::move(query);
    req.headers = std::move(extra_headers);
    req.headers.emplace_back("Host", endpoint.host_header);
    req.payload_hash =
        body.empty() ? std::string(sigv4::empty_payload_hash) : sigv4::sha256_hex(body);
    const auto sig = signer.sign(req, now);

    HttpRequest out;
    out.method = req.method;
    out.target = sigv4::uri_encode(req.path, true);
    for (std::size_t i = 0; i < req.query.size(); ++i) {
        out.target += i == 0 ? '?' : '&';
        out.target += sigv4::uri_encode(req.query[i].first, false) + "=" +
                      sigv4::uri_encode(req.query[i].second, false);
    }
    out.headers = std::move(req.headers);
    for (auto& h : sig.added_headers) out.headers.push_back(h);
    out.headers.emplace_back("Authorization", sig.authorization);
    out.body = std::move(body);
    return out;
}

}  // namespace ff::s3
