#pragma once
// Atomic file writes (DESIGN.md "saves are atomic"): write a temporary file next to the target,
// fsync it, rename it over the target, fsync the folder. A crash leaves either the old file or the
// new one, never a torn one. Shared by every writer of user data and caches: the model store,
// the results exporters, the burned-in video export, the kernel and tuning caches.

#include <filesystem>
#include <string_view>

#include "core/status.h"

namespace sl {

// `component` prefixes messages ("pipeline: cannot write 'out.json': No space left on device").
Status writeFileAtomic(const std::filesystem::path& path, std::string_view data,
                       std::string_view component);
// Copies `from` to `to` atomically (the copy is complete and synced before it appears at `to`).
Status copyFileAtomic(const std::filesystem::path& from, const std::filesystem::path& to,
                      std::string_view component);
// fsync of a file already written by other means, then rename over `to`, then fsync of the folder.
Status commitFile(const std::filesystem::path& temp, const std::filesystem::path& to,
                  std::string_view component);

}  // namespace sl
