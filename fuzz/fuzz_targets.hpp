// The fuzz targets' entry functions, shared by the libFuzzer binaries and the Catch2 replay test.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace fffuzz {

// A property of the code under test did not hold. libFuzzer sees it as a crash (uncaught
// exception -> abort); the replay test reports it as a failure with this text.
class PropertyViolation : public std::logic_error {
    using std::logic_error::logic_error;
};

inline void check(bool ok, const std::string& what) {
    if (!ok) throw PropertyViolation(what);
}

int framer_one_input(const std::uint8_t* data, std::size_t size);
int sigv4_one_input(const std::uint8_t* data, std::size_t size);
int s3_xml_one_input(const std::uint8_t* data, std::size_t size);
int config_one_input(const std::uint8_t* data, std::size_t size);
int http_routes_one_input(const std::uint8_t* data, std::size_t size);
int http_parser_one_input(const std::uint8_t* data, std::size_t size);

}  // namespace fffuzz

// Each target file ends with FF_FUZZ_ENTRY(name); the replay test defines FF_FUZZ_NO_MAIN so all
// targets can live in one executable.
#ifdef FF_FUZZ_NO_MAIN
#define FF_FUZZ_ENTRY(fn)
#else
#define FF_FUZZ_ENTRY(fn)                                                               \
    extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) { \
        return fffuzz::fn(data, size);                                                  \
    }
#endif
