// The cancel thread: takes requests off the queue and runs PQcancel, the one blocking libpq call.
#include "db/canceller.hpp"

#include <spdlog/spdlog.h>

#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <utility>

namespace ff::db {

struct Canceller::Shared {
    struct Request {
        pq::CancelHandle cancel;
        std::string who;
        std::shared_ptr<std::atomic<int>> in_flight;
        Request(pq::CancelHandle c, std::string w, std::shared_ptr<std::atomic<int>> f)
            : cancel(std::move(c)), who(std::move(w)), in_flight(std::move(f)) {
            ++*in_flight;
        }
        Request(Request&&) = default;
        Request& operator=(Request&&) = delete;
        ~Request() {
            if (in_flight) --*in_flight;  // sent, or dropped
        }
    };

    std::mutex mutex;
    std::condition_variable wake;
    std::deque<Request> queue;
    std::size_t limit = 0;
    bool stopping = false;
    bool busy = false;  // in PQcancel right now
};

void Canceller::run(const std::shared_ptr<Shared>& shared) {
    for (;;) {
        std::optional<Shared::Request> request;
        {
            std::unique_lock lock(shared->mutex);
            shared->wake.wait(lock, [&] { return shared->stopping || !shared->queue.empty(); });
            if (shared->stopping) return;
            request.emplace(std::move(shared->queue.front()));
            shared->queue.pop_front();
            shared->busy = true;
        }
        // libpq's recommended buffer size; the message names the failing step, never a secret.
        char error[256] = {};
        const bool sent = PQcancel(request->cancel.get(), error, sizeof error) == 1;
        {
            std::lock_guard lock(shared->mutex);
            shared->busy = false;
            if (shared->stopping) return;  // shutting down: say nothing, the logger may be gone
        }
        if (!sent)
            spdlog::warn("db {}: could not ask the server to cancel a statement: {}", request->who,
                         error);
    }
}

Canceller::Canceller(std::size_t queue_limit) : shared_(std::make_shared<Shared>()) {
    shared_->limit = queue_limit;
    thread_ = std::thread([shared = shared_] { run(shared); });
}

Canceller::~Canceller() {
    bool busy = false;
    {
        std::lock_guard lock(shared_->mutex);
        shared_->stopping = true;
        shared_->queue.clear();
        busy = shared_->busy;
    }
    shared_->wake.notify_all();
    if (busy)
        thread_.detach();
    else
        thread_.join();
}

bool Canceller::submit(pq::CancelHandle cancel, std::string who,
                       std::shared_ptr<std::atomic<int>> in_flight) {
    {
        std::lock_guard lock(shared_->mutex);
        if (shared_->stopping || shared_->queue.size() >= shared_->limit) return false;
        shared_->queue.emplace_back(std::move(cancel), std::move(who), std::move(in_flight));
    }
    shared_->wake.notify_one();
    return true;
}

}  // namespace ff::db
