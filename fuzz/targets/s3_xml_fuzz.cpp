// Fuzz target: the ListObjectsV2 and <Error> XML parsers and the S3 date parsers. Properties: a
// listing either parses or throws S3Error(bad_response); the error-body parser never throws;
// the date parsers never throw.
#include <string>
#include <string_view>

#include "fuzz_targets.hpp"
#include "s3/errors.hpp"
#include "s3/list_xml.hpp"

namespace fffuzz {

int s3_xml_one_input(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        (void)ff::s3::parse_list_objects_v2(text);
    } catch (const ff::s3::S3Error& e) {
        check(e.kind() == ff::s3::ErrorKind::bad_response,
              std::string("listing failed with kind ") + ff::s3::to_string(e.kind()));
    }
    (void)ff::s3::parse_error_body(text);
    (void)ff::s3::parse_iso8601(text);
    (void)ff::s3::parse_http_date(text);
    (void)ff::s3::strip_etag_quotes(text);
    return 0;
}

}  // namespace fffuzz

FF_FUZZ_ENTRY(s3_xml_one_input)
