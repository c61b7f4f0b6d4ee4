// Logging setup: a formatter that scrubs secrets and writes either text or JSON lines.
#include "core/log.hpp"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <memory>

#include "core/json_escape.hpp"
#include "core/secrets.hpp"
#include "core/time_format.hpp"

namespace ff::log {
namespace {

class ScrubbingFormatter final : public spdlog::formatter {
  public:
    explicit ScrubbingFormatter(Format format) : format_(format) {}

    void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
        const std::string text =
            secrets::scrub(std::string_view(msg.payload.data(), msg.payload.size()));
        const std::string ts = time::rfc3339_millis(msg.time);
        const auto level = spdlog::level::to_string_view(msg.level);
        std::string line;
        if (format_ == Format::json) {
            line.reserve(text.size() + 64);
            line += R"({"ts":")";
            line += ts;
            line += R"(","level":")";
            line.append(level.data(), level.size());
            line += R"(","msg":")";
            json::escape_into(line, text);
            line += "\"}\n";
        } else {
            line.reserve(text.size() + 40);
            line += ts;
            line += ' ';
            line.append(level.data(), level.size());
            line += ' ';
            // One event, one line: a message with line breaks (libpq's errors have them) is folded.
            for (const char c : text) {
                if (c == '\n')
                    line += " | ";
                else if (c == '\r' || c == '\t')
                    line += ' ';
                else
                    line += c;
            }
            line += '\n';
        }
        dest.append(line.data(), line.data() + line.size());
    }

    std::unique_ptr<spdlog::formatter> clone() const override {
        return std::make_unique<ScrubbingFormatter>(format_);
    }

  private:
    Format format_;
};

}  // namespace

void init(std::string_view level, Format format) {
    auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
    sink->set_formatter(std::make_unique<ScrubbingFormatter>(format));
    auto logger = std::make_shared<spdlog::logger>("fleetfuel", sink);
    logger->set_level(spdlog::level::from_str(std::string(level)));
    logger->flush_on(spdlog::level::trace);
    spdlog::set_default_logger(logger);
}

}  // namespace ff::log
