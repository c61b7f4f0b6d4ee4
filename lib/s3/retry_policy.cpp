// Retry decisions and full-jitter exponential backoff.
#include "s3/retry_policy.hpp"

#include <algorithm>

namespace ff::s3 {

bool RetryPolicy::should_retry(const S3Error& error, int attempt) const {
    return attempt < max_attempts && error.retryable();
}

std::chrono::milliseconds RetryPolicy::backoff(int attempt, std::uint64_t random) const {
    const int shift = std::clamp(attempt - 1, 0, 30);
    const std::int64_t base = std::max<std::int64_t>(backoff_base.count(), 0);
    const std::int64_t cap = std::max<std::int64_t>(backoff_cap.count(), 0);
    // Saturate before shifting so a large base cannot overflow.
    const std::int64_t ceiling = base > (cap >> shift) ? cap : std::min(cap, base << shift);
    return std::chrono::milliseconds(
        static_cast<std::int64_t>(random % static_cast<std::uint64_t>(ceiling + 1)));
}

}  // namespace ff::s3
