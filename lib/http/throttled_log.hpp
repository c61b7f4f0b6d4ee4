// A warning that an attacker could repeat thousands of times a second, logged at a bounded rate.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace ff::http {

// The first occurrence is logged at once; the ones after it are counted, and the count is logged
// when the window ends ("<summary>: 5123 more in the last 60 s"). A window without any occurrence
// ends the episode, and the next occurrence is logged at once again. Single-threaded: call it on
// `executor` only; destroy it before the io_context.
class ThrottledLog {
  public:
    ThrottledLog(boost::asio::any_io_executor executor, std::string summary,
                 std::chrono::milliseconds window = std::chrono::minutes(1));
    ~ThrottledLog();
    ThrottledLog(const ThrottledLog&) = delete;
    ThrottledLog& operator=(const ThrottledLog&) = delete;

    // Logs `message` at warning level, or counts it for the next summary.
    void warn(const std::string& message);

    // Logs the count not yet reported, if any, and ends the episode (its timer too, so an
    // io_context that runs out of work is not kept up to a window longer). Call it when stopping.
    void flush();

    // Occurrences counted and not yet reported (for tests).
    std::uint64_t pending() const;

  private:
    struct State;
    std::shared_ptr<State> state_;  // shared with the window timer's handler
};

}  // namespace ff::http
