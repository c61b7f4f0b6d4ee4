// Fuzz target: streaming framing of snapshot and change documents, then row/change extraction.
// Properties: any chunking of the input gives the same elements, rejects (with the id read from
// an oversize element as it streamed past) and verdict as one feed; only FileError escapes the
// framer; parsing an element never throws; a parsed row's canonical text parses again to itself;
// an id read from a row's text (what a rejected row is known by) is the parsed row's id.
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "fuzz_targets.hpp"
#include "parse/id_recovery.hpp"
#include "parse/json_framer.hpp"
#include "parse/row_parser.hpp"

namespace {

using ff::parse::DocumentKind;
using ff::parse::FileError;
using ff::parse::FramerLimits;
using ff::parse::JsonFramer;

struct Outcome {
    std::vector<std::string> elements;
    std::vector<std::string> rejects;
    std::string error;  // FileError text, empty when accepted
    bool operator==(const Outcome&) const = default;
};

// Splits `doc` at pseudo-random positions drawn from `seed` (1..64 bytes per chunk), or feeds it
// whole when `seed` is 0.
Outcome frame(std::string_view doc, DocumentKind kind, FramerLimits limits, unsigned seed) {
    Outcome out;
    JsonFramer framer(kind, limits);
    const auto on_element = [&](std::string_view e) { out.elements.emplace_back(e); };
    const auto on_reject = [&](std::string_view first, std::string_view reason,
                               std::optional<long long> id) {
        out.rejects.push_back(std::string(reason) + "|" + std::string(first.substr(0, 16)) + "|" +
                              (id ? std::to_string(*id) : "-"));
    };
    try {
        if (seed == 0) {
            framer.feed(doc, on_element, on_reject);
        } else {
            unsigned state = seed;
            while (!doc.empty()) {
                state = state * 1103515245u + 12345u;
                const std::size_t n = 1 + (state >> 16) % 64;
                framer.feed(doc.substr(0, n), on_element, on_reject);
                doc.remove_prefix(std::min(n, doc.size()));
            }
        }
        framer.finish();
    } catch (const FileError& e) {
        out.error = e.what();
        fffuzz::check(!out.error.empty(), "FileError without a message");
    }
    return out;
}

void check_fixed_point(const ff::parse::ParsedRow& row, const ff::parse::ParsedRow& again) {
    fffuzz::check(again.canonical == row.canonical, "canonical text is not a fixed point");
    fffuzz::check(again.hash_hex == row.hash_hex, "hash of the canonical text differs");
    fffuzz::check(again.id == row.id, "id changed on re-parse");
}

void check_row(const ff::parse::ParsedRow& row, const ff::parse::ParseLimits& limits) {
    fffuzz::check(row.hash_hex.size() == 32, "hash is not 32 hex characters");
    if (row.canonical.size() >= limits.max_bytes) return;
    const auto again = ff::parse::parse_row(row.canonical, limits);
    const auto* reparsed = std::get_if<ff::parse::ParsedRow>(&again);
    fffuzz::check(reparsed != nullptr,
                  "canonical text of an accepted row is rejected: " + row.canonical);
    check_fixed_point(row, *reparsed);
}

// Parsed once: the typed columns read from the tree the row was parsed into are those its
// canonical text reads. A sanitised row is declined (the database normalises it); a row nested
// deeper than the second parse's cap may be read only by the first.
void check_typed(const ff::parse::ParsedRow& row,
                 const std::optional<ff::parse::TypedColumns>& typed) {
    if (row.sanitised) {
        fffuzz::check(!typed, "typed columns read for a sanitised row: " + row.canonical);
        return;
    }
    const auto again = ff::parse::normalise_row_json(row.canonical);
    if (!again) return;
    fffuzz::check(typed.has_value(), "declined a row its canonical text reads: " + row.canonical);
    fffuzz::check(typed->values == again->values,
                  "typed columns differ from those of the canonical text: " + row.canonical);
}

// A change's row may omit its id (the change's id stands in), so re-parse it as a change.
void check_change_row(const ff::parse::ParsedChange& change, const ff::parse::ParseLimits& limits) {
    const ff::parse::ParsedRow& row = *change.row;
    fffuzz::check(row.hash_hex.size() == 32, "hash is not 32 hex characters");
    const std::string wrapped = R"({"op":")" + change.op + R"(","id":)" +
                                std::to_string(change.id) + R"(,"row":)" + row.canonical + "}";
    if (wrapped.size() >= limits.max_bytes) return;
    const auto again = ff::parse::parse_change(wrapped, limits);
    const auto* reparsed = std::get_if<ff::parse::ParsedChange>(&again);
    fffuzz::check(reparsed != nullptr && reparsed->row.has_value(),
                  "canonical text of an accepted change row is rejected: " + wrapped);
    check_fixed_point(row, *reparsed->row);
}

void parse_elements(const Outcome& out, DocumentKind kind, const ff::parse::ParseLimits& limits) {
    for (const auto& element : out.elements) {
        if (kind == DocumentKind::snapshot) {
            const auto parsed = ff::parse::parse_typed_row(element, limits);
            if (const auto* typed_row = std::get_if<ff::parse::TypedRow>(&parsed)) {
                const ff::parse::ParsedRow* row = &typed_row->row;
                check_row(*row, limits);
                check_typed(*row, typed_row->typed);
                // Sound, not complete: an id padded past the scanner's small buffers is not
                // read at all (the snapshot then deletes nothing), but never read wrong.
                const auto recovered = ff::parse::recover_id(element);
                fffuzz::check(!recovered || *recovered == row->id,
                              "the id read from the text is not the parsed row's id");
            }
        } else {
            const auto parsed = ff::parse::parse_change(element, limits);
            if (const auto* change = std::get_if<ff::parse::ParsedChange>(&parsed)) {
                fffuzz::check(change->op == "insert" || change->op == "update" ||
                                  change->op == "upsert" || change->op == "delete",
                              "unexpected op: " + change->op);
                if (change->row) {
                    check_change_row(*change, limits);
                    check_typed(*change->row, change->typed);
                }
            }
        }
    }
}

}  // namespace

namespace fffuzz {

int framer_one_input(const std::uint8_t* data, std::size_t size) {
    if (size < 3) return 0;
    // Byte 0 picks the document kind and the limits; bytes 1-2 seed the chunking.
    const DocumentKind kind = (data[0] & 1) ? DocumentKind::changes : DocumentKind::snapshot;
    FramerLimits limits;
    ff::parse::ParseLimits parse_limits;
    if (data[0] & 2) {
        limits.max_element_bytes = 16 + (data[0] >> 2) * 8;
        limits.max_depth = 2 + (data[0] >> 4);
        parse_limits.max_bytes = limits.max_element_bytes;
        parse_limits.max_depth = limits.max_depth;
    }
    const unsigned seed = 1u + data[1] + 256u * data[2];
    const std::string_view doc(reinterpret_cast<const char*>(data + 3), size - 3);

    const Outcome whole = frame(doc, kind, limits, 0);
    const Outcome chunked = frame(doc, kind, limits, seed);
    check(whole.elements == chunked.elements, "chunking changed the elements");
    check(whole.rejects == chunked.rejects, "chunking changed the rejects");
    check(whole.error.empty() == chunked.error.empty(),
          "chunking changed the verdict: [" + whole.error + "] vs [" + chunked.error + "]");
    parse_elements(whole, kind, parse_limits);
    return 0;
}

}  // namespace fffuzz

FF_FUZZ_ENTRY(framer_one_input)
