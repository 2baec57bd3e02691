#pragma once
// Relinking a project whose media files moved (another disk, another machine): media are found
// again by file name in one folder the user names, and their stored paths rewritten in one
// transaction. Used by `sightline project relink` and the workstation's open-project prompt.

#include <cstdint>
#include <string>
#include <vector>

#include "annotate/annotation.h"
#include "core/status.h"

namespace sl::store {

class ProjectStore;

// The media of PROJECT stored as local files that are not at their stored path. Streams and
// cameras (a URL, /dev/...) are never missing.
std::vector<annotate::MediaInfo> missingMedia(ProjectStore& project);

struct RelinkReport {
    std::vector<annotate::MediaInfo> relinked;   // with their new paths
    std::vector<annotate::MediaInfo> missing;    // not in the folder either (old paths)
};

// Every missing media whose file name is a regular file in FOLDER gets that path (absolute,
// normalised), all in one transaction; one whose new path is already another media's stays
// missing (two media rows never share a path). A FOLDER that is not a directory is refused.
Expected<RelinkReport> relinkMediaFromFolder(ProjectStore& project, const std::string& folder);

}  // namespace sl::store
