// Content hash of a row's canonical text: SHA-256 truncated to 128 bits, as 32 lowercase hex chars.
#pragma once

#include <string>
#include <string_view>

namespace ff::parse {

std::string content_hash_hex(std::string_view canonical);

// Same, written into `out` (replacing its contents) to reuse its storage.
void content_hash_hex_into(std::string& out, std::string_view canonical);

}  // namespace ff::parse
