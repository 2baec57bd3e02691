#pragma once
// Headless verbs (`sightline <verb> ...`). The executable's main() asks findVerb() before it
// creates any Qt object, so verbs run without a display.

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sl::cli {

struct Verb {
    const char* name;
    const char* summary;
    const char* usage;
    // args excludes the program name and the verb; returns the process exit code
    int (*run)(std::span<const std::string> args);
};

const Verb* findVerb(std::string_view name);
std::span<const Verb> allVerbs();
std::string usageText();

// Exit codes shared by every verb.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;     // the input could not be processed
inline constexpr int kExitUsage = 2;       // bad command line

}  // namespace sl::cli
