// SHA-256 through OpenSSL's EVP interface, with the digest fetched once and a context per thread.
#include "parse/content_hash.hpp"

#include <openssl/evp.h>

#include <memory>
#include <stdexcept>

namespace ff::parse {
namespace {

struct CtxFree {
    void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};

// Fetching once avoids OpenSSL 3's implicit per-call algorithm lookup (a million rows a snapshot).
const EVP_MD* sha256() {
    static const EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    if (md == nullptr) throw std::runtime_error("OpenSSL: SHA256 is not available");
    return md;
}

}  // namespace

void content_hash_hex_into(std::string& out, std::string_view canonical) {
    thread_local std::unique_ptr<EVP_MD_CTX, CtxFree> ctx{EVP_MD_CTX_new()};
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (!ctx || EVP_DigestInit_ex(ctx.get(), sha256(), nullptr) != 1 ||
        EVP_DigestUpdate(ctx.get(), canonical.data(), canonical.size()) != 1 ||
        EVP_DigestFinal_ex(ctx.get(), digest, &len) != 1 || len < 16) {
        throw std::runtime_error("OpenSSL: SHA-256 failed");
    }
    static constexpr char kHex[] = "0123456789abcdef";
    out.resize(32);
    for (int i = 0; i < 16; ++i) {
        out[2 * i] = kHex[digest[i] >> 4];
        out[2 * i + 1] = kHex[digest[i] & 0xf];
    }
}

std::string content_hash_hex(std::string_view canonical) {
    std::string out;
    content_hash_hex_into(out, canonical);
    return out;
}

}  // namespace ff::parse
