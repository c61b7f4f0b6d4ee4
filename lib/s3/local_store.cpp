// Local-directory ObjectStore: a file tree read as if it were a bucket.
#include "s3/local_store.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <queue>
#include <system_error>

#include "s3/errors.hpp"

namespace ff::s3 {
namespace {

namespace fs = std::filesystem;
constexpr std::size_t chunk_size = 64 * 1024;

std::string hex(std::uint64_t value) {
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(value));
    return buf;
}

class LocalStore final : public ObjectStore {
  public:
    explicit LocalStore(fs::path root) : root_(std::move(root)) {}

    std::string describe() const override { return "dir " + root_.string(); }

    boost::asio::awaitable<void> list_pages(std::string prefix, std::string start_after,
                                            PageConsumer consumer) override {
        std::error_code ec;
        if (!fs::is_directory(root_, ec))
            throw S3Error(ErrorKind::not_found, "list " + describe() + ": not a directory");
        // A copy: moving out of a by-value parameter of this coroutine is miscompiled by GCC 12
        // (AddressSanitizer reports a bad free of the caller's string).
        std::string cursor = start_after;
        for (;;) {
            const auto keys = next_keys(prefix, cursor);
            std::vector<ObjectInfo> page;
            page.reserve(keys.size());
            for (const auto& key : keys) {
                // A file removed since the scan is simply not in this listing.
                if (fs::is_regular_file(root_ / key, ec)) page.push_back(stat(key, root_ / key));
            }
            if (!page.empty()) co_await consumer(page);
            if (keys.size() < page_size) break;
            cursor = keys.back();
        }
    }

    boost::asio::awaitable<std::optional<ObjectInfo>> head(std::string key) override {
        const auto path = resolve(key, "head");
        std::error_code ec;
        if (!fs::is_regular_file(path, ec)) co_return std::nullopt;
        co_return stat(key, path);
    }

    boost::asio::awaitable<GetResult> get(std::string key, GetOptions options,
                                          ChunkConsumer consumer) override {
        const std::string what = "get " + root_.string() + "/" + key;
        const auto path = resolve(key, "get");
        std::error_code ec;
        if (!fs::is_regular_file(path, ec))
            throw S3Error(ErrorKind::not_found, what + ": no such file", 404, "NoSuchKey");
        GetResult result;
        result.info = stat(key, path);
        if (options.if_none_match && *options.if_none_match == result.info.etag) {
            result.not_modified = true;
            co_return result;
        }
        std::ifstream in(path, std::ios::binary);
        if (!in) throw S3Error(ErrorKind::io, what + ": cannot open");
        std::array<char, chunk_size> buf;
        std::uint64_t total = 0;
        while (in) {
            in.read(buf.data(), buf.size());
            const auto n = static_cast<std::size_t>(in.gcount());
            if (n == 0) break;
            total += n;
            co_await consumer(std::string_view(buf.data(), n));
        }
        if (in.bad()) throw S3Error(ErrorKind::io, what + ": read failed");
        // A file truncated while we read it is as broken as a short HTTP body.
        if (total != result.info.size)
            throw S3Error(ErrorKind::short_body, what + ": file changed size while being read");
        co_return result;
    }

  private:
    static constexpr std::size_t page_size = 1000;

    // The first `page_size` keys under `prefix` after `cursor`, in bytewise order. A directory
    // has no order, so each page is one pass over the files below the prefix's directory that
    // keeps only the smallest keys seen: memory holds one page, time is one scan per page.
    std::vector<std::string> next_keys(const std::string& prefix, const std::string& cursor) const {
        const auto slash = prefix.rfind('/');
        const fs::path base = slash == std::string::npos ? root_ : root_ / prefix.substr(0, slash);
        std::error_code ec;
        std::priority_queue<std::string> smallest;  // the greatest on top, to be dropped first
        if (!fs::is_directory(base, ec)) return {};
        fs::recursive_directory_iterator it(base, fs::directory_options::skip_permission_denied,
                                            ec);
        if (ec) throw S3Error(ErrorKind::io, "list " + describe() + ": " + ec.message());
        for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
            if (ec) throw S3Error(ErrorKind::io, "list " + describe() + ": " + ec.message());
            if (!it->is_regular_file(ec)) continue;
            std::string key = it->path().lexically_relative(root_).generic_string();
            if (!key.starts_with(prefix) || key <= cursor) continue;
            if (smallest.size() == page_size && key >= smallest.top()) continue;
            smallest.push(std::move(key));
            if (smallest.size() > page_size) smallest.pop();
        }
        std::vector<std::string> keys(smallest.size());
        for (auto k = keys.rbegin(); k != keys.rend(); ++k) {
            *k = smallest.top();
            smallest.pop();
        }
        return keys;
    }

    // Keys never escape the root: absolute paths and '..' segments are refused.
    fs::path resolve(const std::string& key, const char* op) const {
        const fs::path rel(key);
        const bool escapes =
            rel.is_absolute() || key.empty() ||
            std::any_of(rel.begin(), rel.end(), [](const fs::path& p) { return p == ".."; });
        if (escapes)
            throw S3Error(ErrorKind::not_found,
                          std::string(op) + " " + root_.string() + ": invalid key \"" + key + "\"",
                          404, "NoSuchKey");
        return root_ / rel;
    }

    static ObjectInfo stat(const std::string& key, const fs::path& path) {
        std::error_code ec;
        ObjectInfo info;
        info.key = key;
        info.size = fs::file_size(path, ec);
        const auto mtime = fs::last_write_time(path, ec);
        if (ec) throw S3Error(ErrorKind::io, "stat " + path.string() + ": " + ec.message());
        const auto sys = std::chrono::file_clock::to_sys(mtime);
        info.last_modified = std::chrono::time_point_cast<std::chrono::system_clock::duration>(sys);
        const auto ns =
            std::chrono::duration_cast<std::chrono::nanoseconds>(mtime.time_since_epoch()).count();
        info.etag = hex(static_cast<std::uint64_t>(ns)) + "-" + hex(info.size);
        return info;
    }

    fs::path root_;
};

}  // namespace

std::unique_ptr<ObjectStore> make_local_store(std::filesystem::path root) {
    return std::make_unique<LocalStore>(std::move(root));
}

}  // namespace ff::s3
