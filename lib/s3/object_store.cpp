// ObjectStore::list: the paged listing collected into one vector.
#include "s3/object_store.hpp"

namespace ff::s3 {

boost::asio::awaitable<std::vector<ObjectInfo>> ObjectStore::list(std::string prefix,
                                                                  std::string start_after) {
    std::vector<ObjectInfo> out;
    const PageConsumer collect =
        [&out](std::span<const ObjectInfo> page) -> boost::asio::awaitable<void> {
        out.insert(out.end(), page.begin(), page.end());
        co_return;
    };
    co_await list_pages(prefix, start_after, collect);
    co_return out;
}

}  // namespace ff::s3
