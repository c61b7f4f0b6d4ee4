// The timestamps and fill_date of fuel.normalise read in C++, exactly as
// sql/R__010_normalise.sql reads them, or declined. Internal to typed_columns.cpp.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ff::parse::detail {

// A timestamp as written: parse_timestamptz's pattern '^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt ]
// *[0-9]{1,2}:[0-9]{2}(:[0-9]{2}([.,][0-9]+)?)? *([Zz]|UTC|GMT|[+-][0-9]{2}(:?[0-9]{2})?)?)?$'
// (it covers every shape of norm_common_timestamp_shape).
struct Written {
    int y = 0, mo = 0, d = 0, hh = 0, mi = 0, ss = 0, oh = 3, om = 0;
    bool east = true;  // no zone: Nairobi, +03:00
    std::string_view frac;
};

enum class TimestampRead { null_value, value, decline };

// The timestamp columns: btrim, then parse_timestamptz for text starting 'YYYY-' (else NULL).
// `t` is `raw ->> 'key'`.
TimestampRead read_timestamp(std::optional<std::string_view> t, Written& w);

// The written local time and offset: timestamptz input reads it the same in any session.
std::string timestamp_text(const Written& w);

// (reported_at AT TIME ZONE interval '3 hours')::date; false when outside years 1..9999.
bool nairobi_date(const Written& w, std::string& out);

enum class DateRead { blank, date, unreadable, decline };

// fill_date as fuel.normalise and fuel.parse_date read it (a timestamp's date as written).
DateRead read_fill_date(std::optional<std::string_view> t, std::string& out);

}  // namespace ff::parse::detail
