// A JSON value parsed strictly (RFC 8259) into a flat tree, and its canonical text.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ff::parse::detail {

enum class Kind : unsigned char {
    null_value,
    true_value,
    false_value,
    number,
    string,
    array,
    object
};

// One value in document order; a container's subtree is [its index, end).
struct Node {
    Kind kind;
    bool sanitised;  // its member name or string value lost a \u0000
    std::uint32_t end;
    std::uint32_t key_off, key_len;  // member name in the pool, for children of an object
    std::uint32_t val_off, val_len;  // decoded string or number text in the pool
};

// One parse at a time; buffers are kept between parses so a million rows allocate little.
// Numbers keep their text; strings are decoded, validated as UTF-8, and lose any U+0000.
class JsonTree {
  public:
    // Parses the whole text as one JSON value (node 0); on failure error() says why. Containers
    // nest at most max_depth deep, the root counting as root_depth (0: a wrapper around the value
    // the cap is about, such as a change around its row).
    bool parse(std::string_view text, int max_depth, int root_depth = 1);
    const std::string& error() const { return error_; }

    const Node& node(std::uint32_t i) const { return nodes_[i]; }
    std::string_view key(std::uint32_t i) const {
        return str(nodes_[i].key_off, nodes_[i].key_len);
    }
    std::string_view val(std::uint32_t i) const {
        return str(nodes_[i].val_off, nodes_[i].val_len);
    }

    // The member's node (the last one when the name repeats, as in jsonb), or -1.
    long member(std::uint32_t obj, std::string_view name) const;
    // Whether a \u0000 was removed anywhere in the subtree.
    bool sanitised(std::uint32_t i) const;
    // Canonical text: keys sorted bytewise, last duplicate wins, no whitespace.
    void write(std::uint32_t i, std::string& out);

  private:
    std::string_view str(std::uint32_t off, std::uint32_t len) const {
        return {pool_.data() + off, len};
    }
    bool fail(std::string_view what);
    void skip_ws();
    bool expect(char c, std::string_view what);
    bool literal(std::string_view word, Kind kind, std::uint32_t idx);
    bool value(int depth);
    bool object(std::uint32_t idx, int depth);
    bool array(std::uint32_t idx, int depth);
    bool hex4(std::uint32_t& cp);
    bool escape(bool& sanitised);
    bool string(bool& sanitised);
    bool number(std::uint32_t idx);
    // An object member while its object is written: `prefix` settles most key comparisons.
    struct Member {
        std::uint64_t prefix;
        std::uint32_t node;
    };
    bool key_less(const Member& a, const Member& b) const;
    bool same_key(const Member& a, const Member& b) const;
    static void write_string(std::string_view s, std::string& out);
    void write_object(std::uint32_t i, std::string& out);

    std::string_view text_;
    std::size_t p_ = 0;
    int max_depth_ = 64;
    std::vector<Node> nodes_;
    std::string pool_;
    std::vector<Member> scratch_;
    std::string error_;
};

// At most `max` bytes of text, cut on a character boundary, "..." marking a cut.
std::string clip_text(std::string_view text, std::size_t max = 40);

}  // namespace ff::parse::detail
