#pragma once
// Analysis results <-> annotation sets: how `analyze --project` and the workstation make the
// durable form (a model run in a project store) of what ResultsStore holds in memory, and read it
// back. ResultsStore stays the working set of a running analysis; the project is what outlives it.
//
// Frames with no detection carry no object, so the analysed frames are kept in the set's
// parameters ("ranges": [[first, last], ...], the contiguous runs; "frames": [first, last] and
// "analysed": n for older readers) to tell "nothing found" from "not analysed".

#include <cstdint>
#include <string>

#include "annotate/annotation.h"
#include "pipeline/results_store.h"
#include "store/project_store.h"

namespace sl::pipeline {

// A model run: one object per detection (source Model, keyframe false, track id from the frame's
// trackIds where tracked), labels from the store, PARAMETERS_JSON kept as the run's parameters.
annotate::AnnotationSet modelRunFromResults(const ResultsStore& store, const std::string& name,
                                            const std::string& model,
                                            const std::string& parametersJson,
                                            int64_t createdAtMs);

// The reverse: every frame of SET with objects, frames in the recorded analysed range without
// objects as empty frames. Labels not in the set's list get appended; sizes come from MEDIA.
void resultsFromAnnotationSet(const annotate::AnnotationSet& set, const annotate::MediaInfo& media,
                              ResultsStore& store);

// "MODEL YYYY-MM-DD HH:MM:SS" (local time of NOW_MS): the name a new model run gets.
std::string modelRunName(const std::string& model, int64_t nowMs);

// STORE's results as a new model run of MEDIA in PROJECT (the media added when the project has
// none with its path), in one transaction; PROGRESS may cancel it. An empty NAME gets
// modelRunName(), made unique on the media. Returns the set's id.
Expected<int64_t> storeModelRun(store::ProjectStore& project, const annotate::MediaInfo& media,
                                const ResultsStore& store, const std::string& name,
                                const std::string& model, const std::string& parametersJson,
                                const store::Progress& progress = {});

}  // namespace sl::pipeline
