// Sends PQcancel from a thread of its own: libpq 15's only way to cancel a running statement opens
// a connection to the server and blocks until the server has handled it, so never on the loop.
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <string>
#include <thread>

#include "db/pq.hpp"

namespace ff::db {

// One thread, started here, and a bounded queue of cancel requests. A cancel whose server does
// not answer (a network partition) blocks that thread up to the kernel's connect timeout; the
// requests behind it then wait, and when the queue is full a new one is refused, so the caller
// drops its connection instead (the server's statement_timeout ends the statement then).
class Canceller {
  public:
    explicit Canceller(std::size_t queue_limit = 16);
    // Stops the thread. One stuck in PQcancel is detached and ends on its own, silently.
    ~Canceller();
    Canceller(const Canceller&) = delete;
    Canceller& operator=(const Canceller&) = delete;

    // Queues a cancel request made on the io thread with PQgetCancel; `who` names the connection
    // in a failure's log line. `in_flight` counts it until it has been sent (or dropped at
    // shutdown). False when the queue is full.
    bool submit(pq::CancelHandle cancel, std::string who,
                std::shared_ptr<std::atomic<int>> in_flight);

  private:
    struct Shared;
    static void run(const std::shared_ptr<Shared>& shared);  // the thread's loop

    std::shared_ptr<Shared> shared_;  // also owned by the thread, which may outlive this object
    std::thread thread_;
};

}  // namespace ff::db
