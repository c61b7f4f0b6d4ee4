#include "support/child_process.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "support/test_env.hpp"

namespace fftest {
namespace fs = std::filesystem;
namespace {

std::string read_all(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// Between fork and exec only async-signal-safe calls: everything is prepared before the fork.
[[noreturn]] void exec_child(const std::string& dir, const std::string& out, const std::string& err,
                             char* const* argv, char* const* envp) {
    if (::chdir(dir.c_str()) != 0) ::_exit(127);
    const int o = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int e = out == err ? o : ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (o < 0 || e < 0 || ::dup2(o, 1) < 0 || ::dup2(e, 2) < 0) ::_exit(127);
    ::execve(argv[0], argv, envp);
    ::_exit(127);
}

}  // namespace

ChildProcess::ChildProcess(Launch launch) {
    own_dir_ = fs::temp_directory_path() / unique_name("ff_child_");
    fs::create_directories(own_dir_ / "cwd");
    const std::string dir = launch.cwd.empty() ? (own_dir_ / "cwd").string() : launch.cwd;
    out_path_ = launch.log_path.empty() ? own_dir_ / "stdout" : fs::path(launch.log_path);
    err_path_ = launch.log_path.empty() ? own_dir_ / "stderr" : fs::path(launch.log_path);

    for (const char* pass : {"PATH", "ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"})
        if (const char* v = std::getenv(pass)) launch.env.emplace(pass, v);
    std::vector<std::string> flat;
    for (const auto& [k, v] : launch.env) flat.push_back(k + "=" + v);
    std::vector<char*> envp;
    for (auto& s : flat) envp.push_back(s.data());
    envp.push_back(nullptr);
    std::vector<std::string> words{launch.binary.empty() ? fleetfuel_binary() : launch.binary};
    words.insert(words.end(), launch.args.begin(), launch.args.end());
    std::vector<char*> argv;
    for (auto& s : words) argv.push_back(s.data());
    argv.push_back(nullptr);

    pid_ = ::fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0)
        exec_child(dir, out_path_.string(), err_path_.string(), argv.data(), envp.data());
}

ChildProcess::~ChildProcess() {
    // No REQUIRE here: a destructor may run while a failed assertion unwinds.
    if (!exit_code_ && pid_ > 0) {
        ::kill(pid_, SIGKILL);
        int status = 0;
        while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
        }
    }
    std::error_code ec;
    fs::remove_all(own_dir_, ec);
}

void ChildProcess::signal(int signo) const {
    if (!exit_code_) ::kill(pid_, signo);
}

bool ChildProcess::reap(int options) {
    if (exit_code_) return true;
    int status = 0;
    pid_t r = 0;
    while ((r = ::waitpid(pid_, &status, options)) < 0 && errno == EINTR) {
    }
    REQUIRE(r >= 0);  // only a bug in the test reaps a child twice
    if (r != pid_) return false;
    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return true;
}

bool ChildProcess::running() {
    return !reap(WNOHANG);
}

std::optional<int> ChildProcess::wait_for(std::chrono::milliseconds limit) {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (!reap(WNOHANG) && std::chrono::steady_clock::now() < until)
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    return exit_code_;
}

int ChildProcess::wait() {
    while (!reap(0)) {
    }
    return *exit_code_;
}

int ChildProcess::kill() {
    signal(SIGKILL);
    return wait();
}

std::string ChildProcess::out() const {
    return read_all(out_path_);
}

std::string ChildProcess::err() const {
    return read_all(err_path_);
}

ProcessResult run_to_end(Launch launch) {
    ChildProcess child(std::move(launch));
    ProcessResult result;
    result.exit_code = child.wait();
    result.out = child.out();
    result.err = child.err();
    return result;
}

}  // namespace fftest
