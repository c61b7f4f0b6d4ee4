// Expat-based parsing of S3 XML responses; the element path decides where text goes.
#include "s3/list_xml.hpp"

#include <expat.h>

#include <charconv>
#include <ctime>
#include <functional>
#include <memory>

#include "s3/errors.hpp"

namespace ff::s3 {
namespace {

// Collects element text keyed by the path of local names from the root ("Contents/Key").
class PathCollector {
  public:
    using OnEnd = std::function<void(const std::string& path, const std::string& text)>;

    explicit PathCollector(OnEnd on_end) : on_end_(std::move(on_end)) {}

    // false when the input is not well-formed or declares a DOCTYPE (see saw_doctype()).
    bool parse(std::string_view xml) {
        std::unique_ptr<XML_ParserStruct, decltype(&XML_ParserFree)> parser(
            XML_ParserCreate("UTF-8"), &XML_ParserFree);
        if (!parser) return false;
        XML_SetUserData(parser.get(), this);
        XML_SetElementHandler(parser.get(), &PathCollector::on_start, &PathCollector::on_stop);
        XML_SetCharacterDataHandler(parser.get(), &PathCollector::on_text);
        XML_SetStartDoctypeDeclHandler(parser.get(), &PathCollector::on_doctype);
        parser_ = parser.get();
        return XML_Parse(parser.get(), xml.data(), static_cast<int>(xml.size()), XML_TRUE) ==
               XML_STATUS_OK;
    }

    const std::string& root() const { return root_; }
    bool saw_doctype() const { return saw_doctype_; }

  private:
    static std::string_view local_name(const XML_Char* name) {
        std::string_view n(name);
        const auto colon = n.rfind(':');
        return colon == std::string_view::npos ? n : n.substr(colon + 1);
    }
    static void on_start(void* self_ptr, const XML_Char* name, const XML_Char**) {
        auto* self = static_cast<PathCollector*>(self_ptr);
        if (self->depth_++ == 0) {
            self->root_ = std::string(local_name(name));
            return;
        }
        self->stack_.push_back(self->path_.size());
        if (!self->path_.empty()) self->path_ += '/';
        self->path_ += local_name(name);
        self->text_.clear();
    }
    static void on_stop(void* self_ptr, const XML_Char*) {
        auto* self = static_cast<PathCollector*>(self_ptr);
        if (--self->depth_ == 0) return;
        self->on_end_(self->path_, self->text_);
        self->path_.resize(self->stack_.back());
        self->stack_.pop_back();
        self->text_.clear();
    }
    // S3 never sends a DOCTYPE; refusing it shuts out entity expansion and external entities.
    static void on_doctype(void* self_ptr, const XML_Char*, const XML_Char*, const XML_Char*, int) {
        auto* self = static_cast<PathCollector*>(self_ptr);
        self->saw_doctype_ = true;
        XML_StopParser(self->parser_, XML_FALSE);
    }
    static void on_text(void* self_ptr, const XML_Char* text, int len) {
        static_cast<PathCollector*>(self_ptr)->text_.append(text, static_cast<std::size_t>(len));
    }

    OnEnd on_end_;
    std::string root_, path_, text_;
    std::vector<std::size_t> stack_;
    int depth_ = 0;
    bool saw_doctype_ = false;
    XML_Parser parser_ = nullptr;  // only while parse() runs
};

bool parse_uint(std::string_view text, std::uint64_t& out) {
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc{} && ptr == text.data() + text.size();
}

}  // namespace

std::string strip_etag_quotes(std::string_view etag) {
    if (etag.starts_with("W/")) etag.remove_prefix(2);
    if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"')
        etag = etag.substr(1, etag.size() - 2);
    if (etag.starts_with("&quot;") && etag.ends_with("&quot;") && etag.size() >= 12)
        etag = etag.substr(6, etag.size() - 12);
    return std::string(etag);
}

namespace {

// system_clock counts nanoseconds (about 1677-2262): a year outside that would overflow it.
std::optional<std::chrono::system_clock::time_point> to_time_point(std::tm& tm) {
    if (tm.tm_year < 1970 - 1900 || tm.tm_year > 2200 - 1900) return std::nullopt;
    return std::chrono::system_clock::from_time_t(timegm(&tm));
}

}  // namespace

std::optional<std::chrono::system_clock::time_point> parse_iso8601(std::string_view text) {
    std::tm tm{};
    const std::string s(text);
    const char* rest = strptime(s.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
    if (rest == nullptr) return std::nullopt;
    const auto start = to_time_point(tm);
    if (!start) return std::nullopt;
    auto tp = *start;
    if (*rest == '.') {
        ++rest;
        int ms = 0, digits = 0;
        while (*rest >= '0' && *rest <= '9') {
            if (digits++ < 3) ms = ms * 10 + (*rest - '0');
            ++rest;
        }
        while (digits++ < 3) ms *= 10;
        tp += std::chrono::milliseconds(ms);
    }
    if (*rest != 'Z' && *rest != '\0') return std::nullopt;
    return tp;
}

std::optional<std::chrono::system_clock::time_point> parse_http_date(std::string_view text) {
    std::tm tm{};
    const std::string s(text);
    const char* rest = strptime(s.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
    if (rest == nullptr) return std::nullopt;
    return to_time_point(tm);
}

ListPage parse_list_objects_v2(std::string_view xml) {
    ListPage page;
    ObjectInfo current;
    bool bad_field = false;
    PathCollector collector([&](const std::string& path, const std::string& text) {
        if (path == "Contents/Key")
            current.key = text;
        else if (path == "Contents/ETag")
            current.etag = strip_etag_quotes(text);
        else if (path == "Contents/Size")
            bad_field |= !parse_uint(text, current.size);
        else if (path == "Contents/LastModified") {
            const auto tp = parse_iso8601(text);
            bad_field |= !tp;
            if (tp) current.last_modified = *tp;
        } else if (path == "Contents") {
            page.objects.push_back(std::move(current));
            current = ObjectInfo{};
        } else if (path == "IsTruncated")
            page.is_truncated = text == "true";
        else if (path == "NextContinuationToken")
            page.next_continuation_token = text;
    });
    const bool parsed = collector.parse(xml);
    if (collector.saw_doctype())
        throw S3Error(ErrorKind::bad_response, "list: unexpected DOCTYPE in S3 response");
    if (!parsed || collector.root() != "ListBucketResult")
        throw S3Error(ErrorKind::bad_response, "list: response is not a ListBucketResult");
    if (bad_field)
        throw S3Error(ErrorKind::bad_response, "list: malformed Size or LastModified in listing");
    return page;
}

std::optional<ErrorBody> parse_error_body(std::string_view xml) {
    ErrorBody body;
    PathCollector collector([&](const std::string& path, const std::string& text) {
        if (path == "Code")
            body.code = text;
        else if (path == "Message")
            body.message = text;
    });
    if (!collector.parse(xml) || collector.root() != "Error" || body.code.empty())
        return std::nullopt;
    return body;
}

}  // namespace ff::s3
