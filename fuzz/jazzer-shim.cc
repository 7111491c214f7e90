// The three symbols @jazzer.js/fuzzer's prebuilt addon takes from glibc 2.38 / GCC 13 that Debian 12
// lacks; see fuzz/jazzer-compat.mjs. Compiled only when the addon does not load as shipped.
#include <cstdlib>
#include <ios>

extern "C" long __isoc23_strtol(const char* s, char** end, int base) { return std::strtol(s, end, base); }
extern "C" unsigned long __isoc23_strtoul(const char* s, char** end, int base) { return std::strtoul(s, end, base); }

namespace std {
// GCC 13 moved the iostream initialiser into libstdc++ and has objects call this; GCC 12's runs by itself.
void ios_base_library_init() { static ios_base::Init init; }
}  // namespace std
