// Counts of one ingest run: adding them up and writing them as JSON or one summary line.
#include <fmt/format.h>

#include "ingest/ingest.hpp"

namespace ff::ingest {

Counts& Counts::operator+=(const Counts& o) {
    rows_read += o.rows_read;
    inserted += o.inserted;
    updated += o.updated;
    soft_deleted += o.soft_deleted;
    undeleted += o.undeleted;
    unchanged += o.unchanged;
    stale += o.stale;
    rejected += o.rejected;
    flagged += o.flagged;
    duplicates += o.duplicates;
    files_applied += o.files_applied;
    files_quarantined += o.files_quarantined;
    skipped_etag += o.skipped_etag;
    unidentified += o.unidentified;
    deletes_withheld += o.deletes_withheld;
    for (const auto& [flag, n] : o.flags) flags[flag] += n;
    return *this;
}

std::string to_json(const Counts& c) {
    return fmt::format(
        "{{\"rows_read\":{},\"inserted\":{},\"updated\":{},\"soft_deleted\":{},\"undeleted\":{},"
        "\"unchanged\":{},\"stale\":{},\"rejected\":{},\"flagged\":{},\"duplicates\":{},"
        "\"files_applied\":{},\"files_quarantined\":{},\"skipped_etag\":{},\"unidentified\":{},"
        "\"deletes_withheld\":{}}}",
        c.rows_read, c.inserted, c.updated, c.soft_deleted, c.undeleted, c.unchanged, c.stale,
        c.rejected, c.flagged, c.duplicates, c.files_applied, c.files_quarantined, c.skipped_etag,
        c.unidentified, c.deletes_withheld);
}

std::string summary(const Counts& c) {
    return fmt::format(
        "read {}, inserted {}, updated {}, soft-deleted {}, undeleted {}, unchanged {}, stale {}, "
        "rejected {}, flagged {}, duplicates {}, files applied {}, quarantined {}, skipped (etag) "
        "{}, unidentified {}, soft deletes withheld {}",
        c.rows_read, c.inserted, c.updated, c.soft_deleted, c.undeleted, c.unchanged, c.stale,
        c.rejected, c.flagged, c.duplicates, c.files_applied, c.files_quarantined, c.skipped_etag,
        c.unidentified, c.deletes_withheld);
}

const char* to_string(Refusal refusal) {
    switch (refusal) {
        case Refusal::none:
            return "none";
        case Refusal::mass_delete:
            return "mass_delete";
        case Refusal::older_snapshot:
            return "older_snapshot";
        case Refusal::empty:
            return "empty";
    }
    return "none";
}

}  // namespace ff::ingest
