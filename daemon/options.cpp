// Configuration -> connection and object-store options (see options.hpp).
#include "options.hpp"

#include "s3/local_store.hpp"

namespace ff::cmd {

db::ConnectOptions connect_options(const config::Config& cfg) {
    db::ConnectOptions o;
    o.conninfo = cfg.database_url;
    o.connect_timeout = cfg.db_connect_timeout;
    o.statement_timeout = cfg.db_statement_timeout;
    return o;
}

s3::S3Options s3_options(const config::Config& cfg) {
    s3::S3Options o;
    o.endpoint = cfg.rustfs_endpoint;
    o.access_key = cfg.rustfs_access_key;
    o.secret_key = cfg.rustfs_secret_key;
    o.region = cfg.rustfs_region;
    o.bucket = cfg.bucket;
    o.ca_file = cfg.ca_file;
    o.insecure_skip_verify = cfg.insecure_skip_verify;
    o.connect_timeout = cfg.s3_connect_timeout;
    o.tls_timeout = cfg.s3_tls_timeout;
    o.read_timeout = cfg.s3_read_timeout;
    o.max_attempts = cfg.s3_max_attempts;
    o.backoff_base = cfg.s3_backoff_base;
    o.backoff_cap = cfg.s3_backoff_cap;
    o.max_object_bytes = cfg.max_object_bytes;
    return o;
}

std::unique_ptr<s3::ObjectStore> make_object_store(boost::asio::any_io_executor executor,
                                                   const config::Config& cfg,
                                                   const std::string& source_dir,
                                                   s3::RequestObserver observer) {
    if (!source_dir.empty()) return s3::make_local_store(source_dir);
    config::require_object_store(cfg);
    return s3::make_s3_client(std::move(executor), s3_options(cfg), std::move(observer));
}

}  // namespace ff::cmd
