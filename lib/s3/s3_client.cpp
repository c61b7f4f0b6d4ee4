// S3 operations over Transport: signing, status handling, retries with backoff and resumed GETs.
#include "s3/s3_client.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <optional>
#include <random>

#include "core/secrets.hpp"
#include "s3/errors.hpp"
#include "s3/list_xml.hpp"
#include "s3/retry_policy.hpp"
#include "s3/s3_request.hpp"
#include "s3/s3_transport.hpp"

namespace ff::s3 {
namespace {

namespace net = boost::asio;
using sigv4::Pairs;

// Throws the typed error for any non-2xx response, using the S3 <Error> body when there is one.
void check_status(const Response& response, const std::string& what) {
    const int status = response.head.status;
    if (status / 100 == 2) return;
    const auto body = parse_error_body(response.body);
    throw make_s3_error(what, status, body ? body->code : "", body ? body->message : "");
}

ObjectInfo info_from(const std::string& key, const ResponseHead& head) {
    ObjectInfo info;
    info.key = key;
    info.etag = strip_etag_quotes(head.etag);
    info.size = head.content_length.value_or(0);
    if (auto tp = parse_http_date(head.last_modified)) info.last_modified = *tp;
    return info;
}

class Client final : public S3Client {
  public:
    Client(net::any_io_executor executor, S3Options options, RequestObserver observer)
        : executor_(executor),
          options_(std::move(options)),
          observer_(std::move(observer)),
          endpoint_(parse_endpoint(options_.endpoint)),
          signer_({options_.access_key, options_.secret_key, {}}, options_.region, "s3"),
          transport_(executor, endpoint_,
                     TransportOptions{options_.ca_file, options_.insecure_skip_verify,
                                      options_.connect_timeout, options_.tls_timeout,
                                      options_.read_timeout}),
          policy_{options_.max_attempts, options_.backoff_base, options_.backoff_cap},
          random_(std::random_device{}()) {}

    std::string describe() const override {
        return "s3://" + options_.bucket + " at " + options_.endpoint;
    }

    net::awaitable<void> list_pages(std::string prefix, std::string start_after,
                                    PageConsumer consumer) override {
        const std::string what = "list s3://" + options_.bucket + "/" + prefix;
        std::string token;
        std::size_t listed = 0;
        for (;;) {
            Pairs query{{"list-type", "2"}, {"max-keys", std::to_string(options_.list_page_size)}};
            if (!prefix.empty()) query.emplace_back("prefix", prefix);
            if (token.empty() && !start_after.empty())
                query.emplace_back("start-after", start_after);
            if (!token.empty()) query.emplace_back("continuation-token", token);
            auto page =
                co_await with_retries<ListPage>("list", [&](int) -> net::awaitable<ListPage> {
                    auto response = co_await transport_.exchange(build("GET", "", query, {}, ""),
                                                                 what, nullptr);
                    check_status(response, what);
                    co_return parse_list_objects_v2(response.body);
                });
            if (!page.objects.empty()) co_await consumer(page.objects);
            listed += page.objects.size();
            if (options_.list_limit != 0 && listed >= options_.list_limit) break;
            if (!page.is_truncated) break;
            if (page.next_continuation_token.empty())
                throw S3Error(ErrorKind::bad_response,
                              what + ": truncated listing without a continuation token");
            token = std::move(page.next_continuation_token);
        }
    }

    net::awaitable<std::optional<ObjectInfo>> head(std::string key) override {
        const std::string what = "head " + object_name(key);
        co_return co_await with_retries<std::optional<ObjectInfo>>(
            "head", [&](int) -> net::awaitable<std::optional<ObjectInfo>> {
                auto response =
                    co_await transport_.exchange(build("HEAD", key, {}, {}, ""), what, nullptr);
                if (response.head.status == 404) co_return std::nullopt;
                check_status(response, what);
                co_return info_from(key, response.head);
            });
    }

    net::awaitable<GetResult> get(std::string key, GetOptions options,
                                  ChunkConsumer consumer) override {
        const std::string what = "get " + object_name(key);
        std::uint64_t delivered = 0;  // bytes the consumer has already seen, over all attempts
        GetResult result;
        co_return co_await with_retries<GetResult>("get", [&](int) -> net::awaitable<GetResult> {
            const bool resuming = delivered > 0;
            if (resuming && result.info.etag.empty())
                throw S3Error(
                    ErrorKind::bad_response,
                    what + ": transfer broke off and the object has no ETag to resume on");
            Pairs headers;
            if (resuming) {
                // Continue where the consumer stopped, and only if it is still the same object.
                headers.emplace_back("Range", "bytes=" + std::to_string(delivered) + "-");
                headers.emplace_back("If-Match", "\"" + result.info.etag + "\"");
            } else if (options.if_none_match) {
                headers.emplace_back("If-None-Match",
                                     "\"" + strip_etag_quotes(*options.if_none_match) + "\"");
            }
            std::uint64_t skip = 0;
            BodyStream stream;
            stream.on_head = [&](const ResponseHead& head) {
                if (resuming) {
                    if (strip_etag_quotes(head.etag) != result.info.etag) throw changed(what);
                    if (head.status != 206) skip = delivered;  // Range ignored: drop what was seen
                    return;
                }
                result.info = info_from(key, head);
                if (result.info.size > options_.max_object_bytes) throw too_large(what);
            };
            stream.on_chunk = [&](std::string_view chunk) -> net::awaitable<void> {
                const auto dropped = std::min<std::uint64_t>(skip, chunk.size());
                chunk.remove_prefix(dropped);
                skip -= dropped;
                if (chunk.empty()) co_return;
                if (delivered + chunk.size() > options_.max_object_bytes) throw too_large(what);
                delivered += chunk.size();
                co_await consumer(chunk);
            };
            auto response =
                co_await transport_.exchange(build("GET", key, {}, headers, ""), what, &stream);
            if (response.head.status == 304 && !resuming) {
                result.not_modified = true;
                result.info.key = key;
                result.info.etag = strip_etag_quotes(response.head.etag);
                co_return result;
            }
            if (response.head.status == 412 && resuming) throw changed(what);
            check_status(response, what);
            co_return result;
        });
    }

    net::awaitable<std::string> put_object(std::string key, std::string body) override {
        const std::string what = "put " + object_name(key);
        co_return co_await with_retries<std::string>(
            "put", [&](int) -> net::awaitable<std::string> {
                auto response =
                    co_await transport_.exchange(build("PUT", key, {}, {}, body), what, nullptr);
                check_status(response, what);
                co_return strip_etag_quotes(response.head.etag);
            });
    }

    net::awaitable<void> create_bucket() override {
        const std::string what = "create bucket " + options_.bucket;
        co_await with_retries<bool>("put", [&](int) -> net::awaitable<bool> {
            auto response =
                co_await transport_.exchange(build("PUT", "", {}, {}, ""), what, nullptr);
            const auto body = parse_error_body(response.body);
            if (body && body->code == "BucketAlreadyOwnedByYou") co_return true;
            // s3rver says BucketAlreadyExists even for our own bucket; a bucket that answers a
            // HEAD signed with our credentials is ours to use, anyone else's answers 403.
            if (body && body->code == "BucketAlreadyExists" && co_await bucket_answers(what))
                co_return true;
            check_status(response, what);
            co_return true;
        });
    }

  private:
    net::awaitable<bool> bucket_answers(const std::string& what) {
        auto response = co_await transport_.exchange(build("HEAD", "", {}, {}, ""),
                                                     "head bucket (" + what + ")", nullptr);
        co_return response.head.status / 100 == 2;
    }

    std::string object_name(const std::string& key) const {
        return "s3://" + options_.bucket + "/" + key;
    }

    HttpRequest build(std::string method, std::string_view key, Pairs query, Pairs headers,
                      std::string body) {
        return build_request(signer_, endpoint_, std::move(method), options_.bucket, key,
                             std::move(query), std::move(headers), std::move(body),
                             std::chrono::system_clock::now());
    }

    static S3Error too_large(const std::string& what) {
        return S3Error(ErrorKind::too_large, what + ": object exceeds the configured maximum size");
    }
    static S3Error changed(const std::string& what) {
        return S3Error(ErrorKind::s3_error,
                       what + ": object changed while it was being read (ETag differs)", 412,
                       "PreconditionFailed");
    }

    void observe(std::string_view op, std::string_view outcome,
                 std::chrono::steady_clock::time_point start) {
        if (!observer_) return;
        observer_(op, outcome,
                  std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }

    // Runs `attempt` until it succeeds, fails for good, or the attempts run out (AWS standard
    // mode).
    template <class T, class F>
    net::awaitable<T> with_retries(std::string_view op, F&& attempt_fn) {
        for (int attempt = 1;; ++attempt) {
            const auto start = std::chrono::steady_clock::now();
            std::optional<S3Error> error;
            try {
                T result = co_await attempt_fn(attempt);
                bool not_modified = false;
                if constexpr (std::is_same_v<T, GetResult>) not_modified = result.not_modified;
                observe(op, not_modified ? "not_modified" : "ok", start);
                co_return result;
            } catch (const S3Error& e) {
                error = e;
            } catch (...) {
                observe(op, "error", start);  // the consumer's own failure: never retried
                throw;
            }
            if (!policy_.should_retry(*error, attempt)) {
                observe(op, "error", start);
                if (attempt > 1)
                    throw S3Error(error->kind(),
                                  std::string(error->what()) + " (after " +
                                      std::to_string(attempt) + " attempts)",
                                  error->http_status(), error->code());
                throw *error;
            }
            observe(op, "retry", start);
            const auto delay = policy_.backoff(attempt, random_());
            spdlog::warn("s3: {} (attempt {} of {}); retrying in {} ms", error->what(), attempt,
                         policy_.max_attempts, delay.count());
            net::steady_timer timer(executor_, delay);
            co_await timer.async_wait(net::use_awaitable);
        }
    }

    net::any_io_executor executor_;
    S3Options options_;
    RequestObserver observer_;
    Endpoint endpoint_;
    sigv4::Signer signer_;
    Transport transport_;
    RetryPolicy policy_;
    std::mt19937_64 random_;
};

}  // namespace

std::unique_ptr<S3Client> make_s3_client(net::any_io_executor executor, S3Options options,
                                         RequestObserver observer) {
    ff::secrets::add(options.secret_key);
    if (options.insecure_skip_verify && options.endpoint.starts_with("https://"))
        spdlog::warn("s3: TLS certificate verification is OFF for {} (RUSTFS_INSECURE_SKIP_VERIFY)",
                     options.endpoint);
    return std::make_unique<Client>(std::move(executor), std::move(options), std::move(observer));
}

}  // namespace ff::s3
