// Streaming framer: cuts the rows/changes array of an export into one element text at a time.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "parse/id_recovery.hpp"
#include "parse/limits.hpp"

namespace ff::parse {

enum class DocumentKind { snapshot, changes };

struct FramerLimits {
    std::size_t max_element_bytes = kMaxElementBytes;  // a bigger element is rejected on its own
    // Brackets the framer checks one by one (at least 3). A value nested deeper is skipped by
    // matching its brackets outside strings, so memory stays bounded whatever the depth; inside an
    // element, the row parser then rejects that element alone for its depth (parse/limits.hpp).
    int max_depth = kMaxDocumentDepth;
};

struct DocumentMeta {
    bool bare_array = false;
    std::optional<std::string> table;
    std::optional<std::string> exported_at;
    std::optional<long long> row_count;
    std::size_t elements = 0;  // every element of the array, rejected ones included
};

// The whole file must be refused: nothing from it may be applied.
class FileError : public std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Incremental, strictly validating JSON scanner (down to the depth cap; see FramerLimits). Memory
// is bounded by one element buffer and the depth cap, whatever the size of the document.
class JsonFramer {
  public:
    using ElementFn = std::function<void(std::string_view element)>;
    // An element that cannot be handed over whole (larger than max_element_bytes): its first
    // bytes, the reason, and the id its top-level "id" member holds (IdScanner, fed every byte of
    // the element), for the rejects table. The rest of the document is still framed.
    using RejectFn = std::function<void(std::string_view first_bytes, std::string_view reason,
                                        std::optional<long long> id)>;

    explicit JsonFramer(DocumentKind kind, FramerLimits limits = {});

    // Calls on_element(text) for every complete array element in this chunk (text valid only
    // during the call). Throws FileError as soon as the document is known to be malformed.
    // Without on_reject, an oversize element is passed to on_element as its (invalid) first
    // bytes, so parse_row rejects it; prefer the three-argument form for a clear reason.
    void feed(std::string_view chunk, const ElementFn& on_element);
    void feed(std::string_view chunk, const ElementFn& on_element, const RejectFn& on_reject);

    // End of input: throws FileError if empty, truncated, wrong shape, or row_count != elements.
    void finish();

    const DocumentMeta& meta() const { return meta_; }

  private:
    enum class State : unsigned char;
    enum class Capture : unsigned char { none, key, meta, element };

    void step_value_start(char c, std::size_t pos);
    void begin_value(char c, std::size_t pos);
    void end_value(std::size_t end_pos);
    std::size_t scan_element(std::size_t pos);
    bool push(char open);
    void begin_capture(Capture what, std::size_t pos);
    void append_capture(std::string_view bytes);
    void finish_capture(std::size_t end_pos);
    void store_meta(std::string_view text);
    [[noreturn]] void fail(std::string_view what, std::size_t pos) const;

    DocumentKind kind_;
    FramerLimits limits_;
    DocumentMeta meta_;
    State state_;
    std::vector<char> stack_;  // open brackets
    std::size_t offset_ = 0;   // document offset of the current chunk's first byte
    std::string_view chunk_;
    const ElementFn* on_element_ = nullptr;
    const RejectFn* on_reject_ = nullptr;

    bool string_is_key_ = false;
    int hex_left_ = 0;
    const char* literal_ = nullptr;  // rest of true/false/null still expected
    int bom_left_ = 0;

    std::size_t array_depth_ = 0;  // stack size while inside the target array, else 0
    bool array_seen_ = false;
    std::string key_;  // the current top-level member name

    Capture capture_ = Capture::none;
    std::size_t capture_depth_ = 0;
    std::size_t capture_from_ = 0;  // index in chunk_ where this chunk's part of the capture starts
    bool capture_oversize_ = false;
    std::string buffer_;
    IdScanner oversize_id_;  // fed every byte of an element once it is known to be oversize

    std::size_t skip_depth_ = 0;  // brackets open past max_depth, while skipping them
};

}  // namespace ff::parse
