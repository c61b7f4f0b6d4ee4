// Maps the configuration onto the options of the database connection and the object store, in
// one place for every command.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <memory>
#include <string>

#include "config/config.hpp"
#include "db/connection.hpp"
#include "s3/object_store.hpp"
#include "s3/s3_client.hpp"

namespace ff::cmd {

db::ConnectOptions connect_options(const config::Config& cfg);

s3::S3Options s3_options(const config::Config& cfg);

// A local directory when `source_dir` (a --source-dir flag, else FUEL_SOURCE_DIR) is set,
// else the S3 bucket, reporting each request to `observer`.
std::unique_ptr<s3::ObjectStore> make_object_store(boost::asio::any_io_executor executor,
                                                   const config::Config& cfg,
                                                   const std::string& source_dir,
                                                   s3::RequestObserver observer = {});

}  // namespace ff::cmd
