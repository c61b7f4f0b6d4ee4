// When to try an S3 request again and how long to wait first (AWS SDK "standard" retry mode).
#pragma once

#include <chrono>
#include <cstdint>

#include "s3/errors.hpp"

namespace ff::s3 {

struct RetryPolicy {
    int max_attempts = 3;
    std::chrono::milliseconds backoff_base{200};
    std::chrono::milliseconds backoff_cap{20'000};

    // True when `error`, seen on attempt number `attempt` (1-based), deserves another attempt.
    bool should_retry(const S3Error& error, int attempt) const;

    // Full jitter: uniform in [0, min(cap, base * 2^(attempt-1))]; `random` is any 64-bit draw.
    std::chrono::milliseconds backoff(int attempt, std::uint64_t random) const;
};

}  // namespace ff::s3
