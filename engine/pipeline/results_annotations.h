#pragma once
// Analysis results <-> annotation sets: how `analyze --project` and the workstation make the
// durable form (a model run in a project store) of what ResultsStore holds in memory, and read it
// back. ResultsStore stays the working set of a running analysis; the project is what outlives it.
//
// Frames with no detection carry no object, so the analysed frame range is kept in the set's
// parameters ("frames": [first, last], "analysed": n) to tell "nothing found" from "not analysed".

#include <cstdint>
#include <string>

#include "annotate/annotation.h"
#include "pipeline/results_store.h"

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

}  // namespace sl::pipeline
