// Splits a fuzz input into fields: one-byte-length-prefixed strings, single bytes, the rest.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace fffuzz {

class Input {
  public:
    Input(const std::uint8_t* data, std::size_t size)
        : rest_(reinterpret_cast<const char*>(data), size) {}

    bool empty() const { return rest_.empty(); }

    std::uint8_t byte() {
        if (rest_.empty()) return 0;
        const auto b = static_cast<std::uint8_t>(rest_.front());
        rest_.remove_prefix(1);
        return b;
    }

    // A string of up to 255 bytes: its length is the next byte.
    std::string field() {
        const std::size_t n = std::min<std::size_t>(byte(), rest_.size());
        std::string out(rest_.substr(0, n));
        rest_.remove_prefix(n);
        return out;
    }

    std::string rest() {
        std::string out(rest_);
        rest_ = {};
        return out;
    }

  private:
    std::string_view rest_;
};

}  // namespace fffuzz
