// fleetfuel check, the object store group: one capped listing of the change files proves the
// endpoint, TLS, credentials and bucket (its error says which failed), then a HEAD of
// latest.json. With FUEL_SOURCE_DIR the directory stands in for the bucket.
#include <fmt/format.h>

#include <boost/asio/this_coro.hpp>
#include <filesystem>

#include "core/time_format.hpp"
#include "s3/errors.hpp"
#include "s3/local_store.hpp"
#include "service/check_run.hpp"

namespace ff::service::detail {
namespace {

using boost::asio::awaitable;

bool has(const std::string& text, std::string_view part) {
    return text.find(part) != std::string::npos;
}

void tls_ok(CheckRun& run, const s3::S3Options& s3) {
    if (!s3.endpoint.starts_with("https://"))
        run.ok("not used: the endpoint is plain http");
    else if (s3.insecure_skip_verify)
        run.ok("certificate NOT verified (RUSTFS_INSECURE_SKIP_VERIFY=true)",
               "for tests only: set RUSTFS_CA_FILE to the server's CA instead");
    else if (!s3.ca_file.empty())
        run.ok("certificate verified against RUSTFS_CA_FILE " + s3.ca_file + " only");
    else
        run.ok("certificate verified against the system's CA store");
}

// Sorts the listing's failure into the check it belongs to; the checks before it passed.
void report_list_failure(CheckRun& run, const s3::S3Error& e, const CheckOptions& options) {
    const auto& s3 = *options.s3;
    const std::string message = e.what();
    const auto kind = e.kind();
    if (kind == s3::ErrorKind::tls) {
        run.ok("reachable at " + s3.endpoint);
        run.failed(message, s3.ca_file.empty()
                                ? "the server's certificate is not signed by a CA this system "
                                  "trusts: set RUSTFS_CA_FILE to the CA that signed it"
                                : "the certificate is not signed by the CA in RUSTFS_CA_FILE "
                                  "(only that CA is trusted), or its name does not match the "
                                  "endpoint's host");
        run.skip_rest("needs a verified TLS connection");
        return;
    }
    if (kind == s3::ErrorKind::network || kind == s3::ErrorKind::timeout) {
        std::string hint;
        if (has(message, "resolve"))
            hint =
                "the host name does not resolve from here: inside a container, attach it to "
                "the network the object store is on, and check RUSTFS_ENDPOINT";
        else if (kind == s3::ErrorKind::timeout)
            hint =
                "no answer in time: a firewall dropping packets, a wrong address or port, or "
                "the server is down";
        else if (has(message, "refused"))
            hint = "nothing listens there: check the port in RUSTFS_ENDPOINT";
        else
            hint = "check RUSTFS_ENDPOINT (scheme, host and port)";
        run.failed(message, hint);
        run.skip_rest("needs the object store");
        return;
    }
    run.ok("reachable at " + s3.endpoint);
    tls_ok(run, s3);
    const auto& code = e.code();
    if (code == "InvalidAccessKeyId" || code == "SignatureDoesNotMatch" ||
        code == "AuthorizationHeaderMalformed" || code == "InvalidToken") {
        run.failed(message, code == "InvalidAccessKeyId"
                                ? "the server does not know RUSTFS_ACCESS_KEY"
                                : "wrong RUSTFS_SECRET_KEY (or a RUSTFS_REGION the server does "
                                  "not use)");
        run.skip_rest("needs valid credentials");
        return;
    }
    if (code == "AccessDenied") {
        run.ok("accepted (access key " + s3.access_key + ")");
        run.failed(message,
                   "the key may not list the bucket: grant it s3:ListBucket and "
                   "s3:GetObject on FUEL_BUCKET");
        run.skip_rest("needs read access to the bucket");
        return;
    }
    run.ok("accepted (access key " + s3.access_key + ")");
    run.failed(message, code == "NoSuchBucket" ? "no bucket of that name: check FUEL_BUCKET"
                                               : "the object store refused the listing");
    run.skip_rest("needs the bucket");
}

std::string object_detail(const s3::ObjectInfo& info) {
    const bool has_time = info.last_modified != std::chrono::system_clock::time_point{};
    return fmt::format(
        "{}: {} bytes, ETag \"{}\", Last-Modified {}", info.key, info.size, info.etag,
        has_time ? time::rfc3339(info.last_modified) + " (" + age_text(info.last_modified) + ")"
                 : std::string("unknown"));
}

awaitable<void> check_exports(s3::ObjectStore& store, CheckRun& run, const CheckOptions& options,
                              std::size_t change_files) {
    const auto latest_key = options.prefix + "latest.json";
    try {
        auto latest = co_await store.head(latest_key);
        if (latest)
            run.ok(object_detail(*latest));
        else
            run.failed(latest_key + " is not there",
                       "has the exporter written its first snapshot? Check FUEL_PREFIX (" +
                           options.prefix + ")");
    } catch (const s3::S3Error& e) {
        run.failed(e.what(), "reading the object failed");
    }
    const auto cap = options.change_file_cap;
    run.ok(change_files > cap ? fmt::format("more than {} under {}changes/", cap, options.prefix)
                              : fmt::format("{} under {}changes/", change_files, options.prefix));
}

awaitable<void> directory_checks(std::shared_ptr<CheckRun> run, CheckOptions options) {
    std::error_code ec;
    if (!std::filesystem::is_directory(options.source_dir, ec)) {
        run->failed(options.source_dir + " is not a readable directory",
                    "check FUEL_SOURCE_DIR, and the volume mounted there");
        run->skip_rest("needs the source directory");
        co_return;
    }
    run->ok(options.source_dir + " (FUEL_SOURCE_DIR stands in for the bucket)");
    auto store = s3::make_local_store(options.source_dir);
    std::size_t files = 0;
    try {
        files = (co_await store->list(options.prefix + "changes/", "")).size();
    } catch (const s3::S3Error&) {
        // No changes/ directory yet: no change files.
    }
    co_await check_exports(*store, *run, options, files);
}

}  // namespace

awaitable<void> store_checks(std::shared_ptr<CheckRun> run, CheckOptions options) {
    if (!options.source_dir.empty()) {
        co_await directory_checks(run, std::move(options));
        co_return;
    }
    if (!options.s3) {
        run->skip_rest("RUSTFS_ENDPOINT, RUSTFS_ACCESS_KEY or RUSTFS_SECRET_KEY is not set");
        co_return;
    }
    s3::S3Options s3 = *options.s3;
    s3.connect_timeout = std::min(s3.connect_timeout, options.timeout);
    s3.tls_timeout = std::min(s3.tls_timeout, options.timeout);
    s3.read_timeout = std::min(s3.read_timeout, options.timeout);
    s3.max_attempts = 1;  // a check reports what happens, it does not insist
    s3.list_limit = options.change_file_cap + 1;
    std::unique_ptr<s3::S3Client> client;
    try {
        client = s3::make_s3_client(co_await boost::asio::this_coro::executor, s3);
    } catch (const std::exception& e) {
        run->failed(e.what(), "check RUSTFS_ENDPOINT and RUSTFS_CA_FILE");
        run->skip_rest("needs the object store");
        co_return;
    }
    std::size_t files = 0;
    try {
        files = (co_await client->list(options.prefix + "changes/", "")).size();
    } catch (const s3::S3Error& e) {
        report_list_failure(*run, e, options);
        co_return;
    }
    run->ok("reachable at " + s3.endpoint);
    tls_ok(*run, s3);
    run->ok("accepted (access key " + s3.access_key + ")");
    run->ok(s3.bucket);
    co_await check_exports(*client, *run, options, files);
}

}  // namespace ff::service::detail
