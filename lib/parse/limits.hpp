// How deep a row may nest and how large an element may be: the caps the framer and the row parser
// share, and why they are what they are.
#pragma once

#include <cstddef>

namespace ff::parse {

// A row (the row object being level 1) may nest this deep; a deeper one is rejected alone.
//
// PostgreSQL has no fixed jsonb nesting limit: its JSON parser recurses once per level and stops
// with "stack depth limit exceeded" when the backend's stack passes max_stack_depth. Measured on
// PostgreSQL 15 (Debian 12) with COPY into a jsonb column, as the stager loads rows: about 160
// bytes of stack per level of objects, so 13 090 levels of objects (14 544 of arrays) at the
// default max_stack_depth of 2MB, 3 259 at 512kB, 622 at the minimum of 100kB.
//
// A row we accept that jsonb then refuses would fail the whole COPY batch, and with it the whole
// snapshot, again every hour; a row we refuse costs only that row. So the cap sits far below what
// jsonb accepts: 1 000 levels need about 160kB of stack, which any max_stack_depth but the very
// smallest gives, 13 times below the default. Deeper than anything an export writes, and our own
// recursive parser stays well inside its thread's stack.
inline constexpr int kMaxRowDepth = 1000;

// What the framer allows around a row: the document's object, the rows or changes array, and a
// change's own object around its row. Past this the framer only matches brackets to find where
// the element ends, and the row parser rejects the element for its depth.
inline constexpr int kMaxDocumentDepth = kMaxRowDepth + 3;

// A larger element is rejected on its own, its id read as it streams past.
inline constexpr std::size_t kMaxElementBytes = std::size_t{1} << 20;

}  // namespace ff::parse
