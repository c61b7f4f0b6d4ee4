// Which objects under <prefix>changes/ are change files (contract section 1): the naming rule that
// decides what is applied, what only is recorded, and what may ever move the watermark.
#pragma once

#include <string>
#include <string_view>

namespace ff::ingest {

// A change file's name (the key after <prefix>changes/) has no '/', ends in ".json" and starts
// with the UTC date and time it was written, so that names sort in the order they were written:
//   date  YYYY-MM-DD or YYYYMMDD
//   then  'T' ('t', a space or '_' are accepted too)
//   time  hh:mm, hh-mm or hhmm
// and then anything (seconds, a fraction, 'Z', a sequence number) before ".json":
// "2026-06-11T20:15:00.123Z.json", "20260611T201500Z-000123.json". The fields must be in range
// (month 01-12, day 01-31, hour 00-23, minute 00-59). Everything else there
// ("_SUCCESS", "manual.txt", "x.json.tmp", ".2026-06-11T20:15:00Z.json") is a stray object.
bool is_change_file_name(std::string_view name);

// `key` is <prefix>changes/<name> with a change file's name.
bool is_change_file(std::string_view key, std::string_view prefix);

// Why the object `key` under <prefix>changes/ is not a change file, for the ledger and the log.
std::string stray_reason(std::string_view key, std::string_view prefix);

}  // namespace ff::ingest
