#include "annotate/annotation.h"

namespace sl::annotate {

const char* objectSourceName(ObjectSource s) {
    switch (s) {
        case ObjectSource::Human: return "human";
        case ObjectSource::Model: return "model";
        case ObjectSource::Interpolated: return "interpolated";
        case ObjectSource::Tracker: return "tracker";
    }
    return "human";
}

std::optional<ObjectSource> parseObjectSource(const std::string& name) {
    for (ObjectSource s : {ObjectSource::Human, ObjectSource::Model, ObjectSource::Interpolated,
                           ObjectSource::Tracker})
        if (name == objectSourceName(s)) return s;
    return std::nullopt;
}

const char* setKindName(SetKind k) {
    switch (k) {
        case SetKind::GroundTruth: return "ground-truth";
        case SetKind::ModelRun: return "model-run";
        case SetKind::Reviewed: return "reviewed";
    }
    return "ground-truth";
}

std::optional<SetKind> parseSetKind(const std::string& name) {
    for (SetKind k : {SetKind::GroundTruth, SetKind::ModelRun, SetKind::Reviewed})
        if (name == setKindName(k)) return k;
    return std::nullopt;
}

}  // namespace sl::annotate
