// ObjectStore over a local directory (FUEL_SOURCE_DIR): the directory stands for the bucket and
// keys are '/'-separated paths relative to it.
#pragma once

#include <filesystem>
#include <memory>

#include "s3/object_store.hpp"

namespace ff::s3 {

// ETags are derived from mtime and size, so a rewritten file gets a new one. Listing is in
// bytewise key order; reads go to the consumer in 64 KiB chunks. A missing directory is an
// S3Error(not_found) at the first call, not at construction.
std::unique_ptr<ObjectStore> make_local_store(std::filesystem::path root);

}  // namespace ff::s3
