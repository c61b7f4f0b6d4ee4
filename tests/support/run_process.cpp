// fork/exec runner for the binary tests; output goes through files so no pipe can fill up.
#include "support/run_process.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "support/test_env.hpp"

namespace fftest {
namespace {

std::string read_all(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

}  // namespace

std::string make_temp_dir() {
    const auto dir = std::filesystem::temp_directory_path() / unique_name("ff_config_test_");
    std::filesystem::create_directories(dir);
    return dir.string();
}

void write_file(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary);
    out << text;
    REQUIRE(out.good());
}

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    INFO("reading " << path);
    REQUIRE(in.good());
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

int closed_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    socklen_t len = sizeof addr;
    REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
    ::close(fd);  // bound but never listening, now released: connections are refused
    return ntohs(addr.sin_port);
}

ProcessResult run_fleetfuel(const std::vector<std::string>& args,
                            const std::map<std::string, std::string>& env, const std::string& cwd,
                            const std::string& other_binary) {
    const std::string dir = cwd.empty() ? make_temp_dir() : cwd;
    const std::string capture = make_temp_dir();
    const std::string out_path = capture + "/stdout", err_path = capture + "/stderr";
    const std::string binary = other_binary.empty() ? fleetfuel_binary() : other_binary;

    std::vector<std::string> env_strings;
    for (const char* pass : {"PATH", "ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"})
        if (const char* v = std::getenv(pass)) env_strings.push_back(std::string(pass) + "=" + v);
    for (const auto& [k, v] : env) env_strings.push_back(k + "=" + v);
    std::vector<char*> envp, argv{const_cast<char*>(binary.c_str())};
    for (auto& s : env_strings) envp.push_back(s.data());
    envp.push_back(nullptr);
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);

    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        if (::chdir(dir.c_str()) != 0) ::_exit(127);
        if (!std::freopen(out_path.c_str(), "w", stdout)) ::_exit(127);
        if (!std::freopen(err_path.c_str(), "w", stderr)) ::_exit(127);
        ::execve(binary.c_str(), argv.data(), envp.data());
        ::_exit(127);
    }
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    ProcessResult result;
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    result.out = read_all(out_path);
    result.err = read_all(err_path);
    std::filesystem::remove_all(capture);
    if (cwd.empty()) std::filesystem::remove_all(dir);
    return result;
}

}  // namespace fftest
