// The one way tests start a program: the fleetfuel under test, another build of it, or a tool
// (Prometheus). Each child gets exactly the environment it is given (plus PATH and the sanitizer
// settings when not given), a working directory of its own so no stray .env is read, and its
// output in files so no pipe can fill up and stall it.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace fftest {

struct Launch {
    std::vector<std::string> args = {};
    std::map<std::string, std::string> env = {};
    std::string binary = {};  // empty: the fleetfuel under test
    std::string cwd = {};     // empty: a fresh empty directory, removed with the child
    // Both streams into this one file (a daemon's log); empty: stdout and stderr apart, read
    // with out() and err().
    std::string log_path = {};
};

class ChildProcess {
  public:
    explicit ChildProcess(Launch launch);
    ~ChildProcess();  // SIGKILLs and reaps it if it is still running
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;

    pid_t pid() const { return pid_; }
    void signal(int signo) const;
    bool running();
    // The exit code (128 + signal when a signal ended it), or nullopt if it still runs after
    // `limit`. Polls every 2 ms, so a test can kill it close to a point it is watching for.
    std::optional<int> wait_for(std::chrono::milliseconds limit);
    int wait();
    // SIGKILL unless already ended, then its exit code.
    int kill();

    std::string out() const;
    std::string err() const;

  private:
    bool reap(int options);

    pid_t pid_ = -1;
    std::optional<int> exit_code_;
    std::filesystem::path own_dir_;  // the capture files, and the working directory if none given
    std::filesystem::path out_path_, err_path_;
};

// Runs it to the end.
struct ProcessResult {
    int exit_code = -1;  // 128 + signal when killed by one
    std::string out;
    std::string err;
};
ProcessResult run_to_end(Launch launch);

}  // namespace fftest
