#pragma once
// `sightline info`: the verb behind cli.cpp's registry entry, with its output streams injectable
// so tests can run it in-process.

#include <iosfwd>
#include <span>
#include <string>

namespace sl::cli {

int runInfo(std::span<const std::string> args);   // stdout / stderr
int runInfo(std::span<const std::string> args, std::ostream& out, std::ostream& err);

}  // namespace sl::cli
