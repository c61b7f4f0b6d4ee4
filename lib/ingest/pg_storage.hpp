// The storage seam on PostgreSQL: every bookkeeping statement of the engine and of the operator
// commands, named, in one place (pg_storage.cpp), on one connection the caller owns.
#pragma once

#include "ingest/storage.hpp"

namespace ff::db {
class Connection;
}

namespace ff::ingest {

class PgStorage final : public Storage {
  public:
    // `db` must outlive this and be connected.
    explicit PgStorage(db::Connection& db) : db_(db) {}

    boost::asio::awaitable<void> begin(Scope scope) override;
    boost::asio::awaitable<void> commit(Scope scope) override;
    boost::asio::awaitable<void> rollback(Scope scope) override;
    bool usable() const override;

    boost::asio::awaitable<std::optional<std::string>> watermark() override;
    boost::asio::awaitable<void> set_watermark(std::optional<std::string> to) override;
    boost::asio::awaitable<std::vector<std::string>> ledger_keys_below(const std::string& key,
                                                                       bool inclusive,
                                                                       int limit) override;
    boost::asio::awaitable<LedgerPage> ledger_page(
        const std::vector<std::string_view>& keys) override;
    boost::asio::awaitable<void> record_file(const FileRecord& file) override;
    boost::asio::awaitable<bool> record_stray(const StrayRecord& stray) override;
    boost::asio::awaitable<bool> record_etag_change(const std::string& key, const std::string& etag,
                                                    const std::string& reason) override;
    boost::asio::awaitable<void> requeue(const std::string& key) override;

    boost::asio::awaitable<void> begin_change_staging() override;
    boost::asio::awaitable<void> begin_snapshot_staging() override;
    boost::asio::awaitable<void> stage(Staging table, std::string_view copy_text) override;
    boost::asio::awaitable<void> stage_open(Staging table) override;
    boost::asio::awaitable<void> stage_put(std::string_view copy_text) override;
    boost::asio::awaitable<void> stage_close() override;
    boost::asio::awaitable<detail::ApplyOutcome> apply_change_file(
        TimePoint last_modified) override;
    boost::asio::awaitable<detail::ApplyOutcome> apply_snapshot(
        const SnapshotApply& apply) override;

    boost::asio::awaitable<bool> records_empty() override;
    boost::asio::awaitable<std::vector<StoredRow>> stored_by_ids(
        const std::vector<long long>& ids) override;
    boost::asio::awaitable<std::vector<StoredRow>> stored_in_range(long long from, long long to,
                                                                   int limit) override;

    boost::asio::awaitable<std::vector<StreamSuccess>> last_successes() override;
    boost::asio::awaitable<std::optional<std::string>> snapshot_etag() override;
    boost::asio::awaitable<void> record_snapshot_applied(const SnapshotApplied& s) override;
    boost::asio::awaitable<void> record_snapshot_failure(const std::string& key,
                                                         const std::string& etag,
                                                         const std::string& kind,
                                                         const std::string& message) override;
    boost::asio::awaitable<FirstLoad> prepare_first_load() override;
    boost::asio::awaitable<void> restore_indexes() override;

    boost::asio::awaitable<void> write_rejects(std::string_view stream, const std::string& key,
                                               const std::string& etag,
                                               const std::vector<detail::RejectRow>& rows) override;
    boost::asio::awaitable<void> set_rejects_etag(const std::string& key,
                                                  const std::string& etag) override;

    boost::asio::awaitable<std::vector<QuarantinedFile>> quarantined_files() override;
    boost::asio::awaitable<std::vector<RejectEntry>> recent_rejects(long long limit) override;

  private:
    db::Connection& db_;
};

}  // namespace ff::ingest
