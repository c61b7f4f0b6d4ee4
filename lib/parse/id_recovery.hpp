// The id of an element that cannot be parsed, read from its top-level "id" member only, for the
// rejects table and for the snapshot rule that an unreadable row is not an absent one (contract
// §2).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ff::parse {

// The integer a JSON number's text (or an id string's trimmed text) holds exactly: "17", "-5",
// "17.0", "1.7e1", "007". nullopt for a fraction, a value outside int64, or anything else.
std::optional<long long> integral_value(std::string_view text);

// Reads the top-level "id" member of one element as its bytes stream past, so an element too
// large to keep (the framer keeps only its first bytes) still gives its id. The element must be
// what the framer passed: syntactically checked, brackets balanced and strings closed at every
// depth, but free to hold what the tree parser refuses (invalid UTF-8, lone surrogates, numbers
// beyond PostgreSQL's range, nesting past the caps). Only members of the element's own object
// count: an "id" nested deeper or inside a string never does. Member names and string values are
// decoded as the tree parser decodes them (escapes; U+0000 dropped), and the last "id" member
// wins, as in jsonb. Memory is a few bytes of state whatever the element's size.
class IdScanner {
  public:
    void feed(std::string_view bytes);
    // After the whole element: the id, or nullopt when it is not an object, has no "id" member,
    // its last "id" member is not an integer in int64 (null, a fraction, an object, "abc"), is
    // written with more than 64 characters (padded with blanks or zeros: not read, the safe
    // side), or the element was not seen whole.
    std::optional<long long> id() const;

  private:
    // A string's content decoded as it streams past, kept only while it is short ASCII: enough to
    // tell a member name "id" and an id's digits, however they are escaped.
    struct ShortString {
        std::string text;
        bool unusable = false;  // non-ASCII, or longer than the cap
        bool escape = false;
        int hex_left = 0;
        std::uint32_t code = 0;
        void reset();
        bool feed(char c);  // true at the closing quote
        void emit(std::uint32_t cp);
    };
    enum class State : unsigned char {
        start,    // before the element's first byte
        member,   // in the element's object, where a member name or '}' comes
        key,      // inside a member name
        colon,    // after a member name
        value,    // after the colon: the value starts at the next non-blank byte
        string,   // inside a string that is a member's value
        scalar,   // inside a number or literal that is a member's value
        nested,   // inside a container that is a member's value
        after,    // after a member's value: ',' or '}'
        done,     // the element's object closed
        ignored,  // not an object, or not what the framer passes: no id
    };
    void step(char c);
    void step_nested(char c);
    void end_value(std::optional<long long> verdict);

    State state_ = State::start;
    std::size_t depth_ = 0;  // open brackets inside a `nested` value
    bool in_string_ = false;
    bool escape_ = false;
    bool key_is_id_ = false;
    ShortString string_;  // the member name, then an "id" member's string value
    std::string scalar_;  // an "id" member's number or literal (bounded)
    // The last "id" member's verdict; unset while none was seen.
    std::optional<std::optional<long long>> id_;
};

// The id of a whole element, as IdScanner reads it.
std::optional<long long> recover_id(std::string_view element);

}  // namespace ff::parse
