// `sightline project edit|undo|redo|history PROJECT ...`: the review edits of store/review_edits.h
// from the command line, each one transaction with its undo step in the project (the same history
// the workstation's Edit > Undo walks). `edit` prints "committed #ENTRY LABEL" once an edit's
// transaction has committed, so a script driving it (or a test killing it) knows what is stored.

#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/cli.h"
#include "store/review_edits.h"

namespace sl::cli {

namespace {

namespace review = store::review;

constexpr const char* kEditOps =
    "edit operations (one per line with --script FILE, '-' = standard input):\n"
    "  add SET FRAME X1 Y1 X2 Y2 LABEL [TRACK]      box SET OBJECT X1 Y1 X2 Y2\n"
    "  label SET OBJECT LABEL                       delete SET OBJECT\n"
    "  track-box SET TRACK FRAME X1 Y1 X2 Y2        track-label SET TRACK LABEL\n"
    "  delete-track SET TRACK                       keyframe|unkeyframe SET TRACK FRAME\n"
    "  outside|occluded SET TRACK FRAME             split SET TRACK FRAME\n"
    "  merge SET KEEP OTHER                         renumber SET TRACK NEW_ID\n"
    "  accept PREDICTIONS REVIEWED [PICK]           reject PREDICTIONS [PICK]\n"
    "      PICK: ids=3,4,5 | min-score=0.5 | frames=10-20 (the last two combine)\n"
    "  review SET FIRST LAST reviewed|flagged|unreviewed";

Expected<int64_t> integer(const std::string& s, const char* what) {
    try {
        size_t used = 0;
        const long long v = std::stoll(s, &used);
        if (used == s.size()) return int64_t(v);
    } catch (const std::exception&) {
    }
    return Status(StatusCode::InvalidArgument,
                  std::string(what) + " must be an integer, not '" + s + "'");
}

Expected<float> number(const std::string& s, const char* what) {
    try {
        size_t used = 0;
        const float v = std::stof(s, &used);
        if (used == s.size()) return v;
    } catch (const std::exception&) {
    }
    return Status(StatusCode::InvalidArgument,
                  std::string(what) + " must be a number, not '" + s + "'");
}

// Reads the arguments of one operation in order; the first bad one sets the failure.
class Args {
public:
    explicit Args(const std::vector<std::string>& t) : t_(t) {}
    bool has(size_t n) const { return t_.size() > n; }
    int64_t i(size_t n, const char* what) {
        if (!ok()) return 0;
        if (!has(n)) return missing(what), 0;
        auto v = integer(t_[n], what);
        if (!v) return status_ = v.status(), 0;
        return *v;
    }
    float f(size_t n, const char* what) {
        if (!ok()) return 0;
        if (!has(n)) return missing(what), 0.0f;
        auto v = number(t_[n], what);
        if (!v) return status_ = v.status(), 0.0f;
        return *v;
    }
    std::string s(size_t n, const char* what) {
        if (!ok()) return {};
        if (!has(n)) return missing(what), std::string();
        return t_[n];
    }
    vision::Box box(size_t n) {
        return {f(n, "X1"), f(n + 1, "Y1"), f(n + 2, "X2"), f(n + 3, "Y2")};
    }
    bool ok() const { return status_.isOk(); }
    const Status& status() const { return status_; }
    void fail(Status st) {
        if (ok()) status_ = std::move(st);
    }

private:
    void missing(const char* what) {
        status_ = Status(StatusCode::InvalidArgument,
                         "'" + t_[0] + "' needs " + what + " (argument " +
                             std::to_string(t_.size()) + ")");
    }
    const std::vector<std::string>& t_;
    Status status_;
};

review::PredictionPick pickFrom(const std::vector<std::string>& t, size_t from, Args& a) {
    review::PredictionPick pick;
    for (size_t k = from; k < t.size() && a.ok(); ++k) {
        const std::string& w = t[k];
        const size_t eq = w.find('=');
        const std::string key = w.substr(0, eq);
        const std::string value = eq == std::string::npos ? "" : w.substr(eq + 1);
        if (key == "ids") {
            std::stringstream ss(value);
            for (std::string id; std::getline(ss, id, ',');) {
                auto v = integer(id, "an object id");
                if (!v) return a.fail(v.status()), pick;
                pick.ids.push_back(*v);
            }
        } else if (key == "min-score") {
            auto v = number(value, "min-score");
            if (!v) return a.fail(v.status()), pick;
            pick.minScore = *v;
        } else if (key == "frames") {
            const size_t dash = value.find('-');
            auto first = integer(value.substr(0, dash), "the first frame");
            auto last = dash == std::string::npos
                            ? first
                            : integer(value.substr(dash + 1), "the last frame");
            if (!first) return a.fail(first.status()), pick;
            if (!last) return a.fail(last.status()), pick;
            pick.first = *first, pick.last = *last;
        } else {
            a.fail(Status(StatusCode::InvalidArgument,
                          "unknown pick '" + w + "' (ids=, min-score=, frames=)"));
        }
    }
    return pick;
}

Expected<store::HistoryEntry> runOp(store::ProjectStore& p, const std::vector<std::string>& t) {
    Args a(t);
    const std::string& op = t[0];
    const auto done = [&](auto&& call) -> Expected<store::HistoryEntry> {
        if (!a.ok()) return a.status();
        return call();
    };
    if (op == "add") {
        annotate::Object o;
        const int64_t set = a.i(1, "SET");
        o.frame = a.i(2, "FRAME");
        o.box = a.box(3);
        o.label = a.s(7, "LABEL");
        if (t.size() > 8) o.trackId = a.i(8, "TRACK");
        return done([&] { return review::addBox(p, set, o); });
    }
    if (op == "box") {
        const int64_t set = a.i(1, "SET"), id = a.i(2, "OBJECT");
        const vision::Box b = a.box(3);
        return done([&] { return review::setBox(p, set, id, b); });
    }
    if (op == "label") {
        const int64_t set = a.i(1, "SET"), id = a.i(2, "OBJECT");
        const std::string label = a.s(3, "LABEL");
        return done([&] { return review::setLabel(p, set, id, label); });
    }
    if (op == "delete") {
        const int64_t set = a.i(1, "SET"), id = a.i(2, "OBJECT");
        return done([&] { return review::deleteBox(p, set, id); });
    }
    if (op == "track-box") {
        const int64_t set = a.i(1, "SET"), track = a.i(2, "TRACK"), frame = a.i(3, "FRAME");
        const vision::Box b = a.box(4);
        return done([&] { return review::setTrackBox(p, set, track, frame, b); });
    }
    if (op == "track-label") {
        const int64_t set = a.i(1, "SET"), track = a.i(2, "TRACK");
        const std::string label = a.s(3, "LABEL");
        return done([&] { return review::setTrackLabel(p, set, track, label); });
    }
    if (op == "delete-track") {
        const int64_t set = a.i(1, "SET"), track = a.i(2, "TRACK");
        return done([&] { return review::deleteTrack(p, set, track); });
    }
    if (op == "keyframe" || op == "unkeyframe" || op == "outside" || op == "occluded" ||
        op == "split") {
        const int64_t set = a.i(1, "SET"), track = a.i(2, "TRACK"), frame = a.i(3, "FRAME");
        auto fn = op == "keyframe"     ? &review::setKeyframe
                  : op == "unkeyframe" ? &review::clearKeyframe
                  : op == "outside"    ? &review::toggleOutside
                  : op == "occluded"   ? &review::toggleOccluded
                                       : &review::splitTrack;
        return done([&] { return fn(p, set, track, frame); });
    }
    if (op == "merge" || op == "renumber") {
        const int64_t set = a.i(1, "SET"), x = a.i(2, "TRACK"), y = a.i(3, "TRACK");
        return done([&] {
            return op == "merge" ? review::mergeTracks(p, set, x, y)
                                 : review::changeTrackId(p, set, x, y);
        });
    }
    if (op == "accept") {
        const int64_t from = a.i(1, "PREDICTIONS"), to = a.i(2, "REVIEWED");
        const review::PredictionPick pick = pickFrom(t, 3, a);
        return done([&] { return review::acceptPredictions(p, from, to, pick); });
    }
    if (op == "reject") {
        const int64_t from = a.i(1, "PREDICTIONS");
        const review::PredictionPick pick = pickFrom(t, 2, a);
        return done([&] { return review::rejectPredictions(p, from, pick); });
    }
    if (op == "review") {
        const int64_t set = a.i(1, "SET"), first = a.i(2, "FIRST"), last = a.i(3, "LAST");
        const std::string name = a.s(4, "a state");
        const auto state = store::parseFrameReview(name);
        if (a.ok() && !state)
            return Status(StatusCode::InvalidArgument,
                          "unknown review state '" + name + "' (reviewed, flagged, unreviewed)");
        return done([&] { return review::setFrameReview(p, set, first, last, *state); });
    }
    return Status(StatusCode::InvalidArgument, "unknown edit operation '" + op + "'");
}

std::vector<std::string> words(const std::string& line) {
    std::istringstream in(line);
    std::vector<std::string> out;
    for (std::string w; in >> w;) out.push_back(w);
    return out;
}

int fail(std::ostream& err, const std::string& m) {
    err << "sightline project: " << m << "\n";
    return kExitFailure;
}

int edit(std::span<const std::string> rest, std::ostream& out, std::ostream& err) {
    if (rest.size() < 2) {
        err << "sightline project: edit needs a project and an operation (or --script FILE)\n"
            << kEditOps << "\n";
        return kExitUsage;
    }
    auto project = store::ProjectStore::open(rest[0]);
    if (!project) return fail(err, project.status().message());
    if (rest[1] != "--script") {
        auto entry = runOp(**project, std::vector<std::string>(rest.begin() + 1, rest.end()));
        if (!entry) return fail(err, entry.status().message());
        out << "committed #" << entry->id << " " << entry->label << "\n";
        return kExitOk;
    }
    if (rest.size() != 3) return fail(err, "--script needs one FILE ('-' = standard input)");
    std::ifstream file;
    if (rest[2] != "-") {
        file.open(rest[2]);
        if (!file) return fail(err, "cannot read the script '" + rest[2] + "'");
    }
    std::istream& in = rest[2] == "-" ? std::cin : file;
    int lineNo = 0;
    for (std::string line; std::getline(in, line);) {
        ++lineNo;
        const std::vector<std::string> t = words(line);
        if (t.empty() || t[0][0] == '#') continue;
        auto entry = runOp(**project, t);
        if (!entry)
            return fail(err, rest[2] + ":" + std::to_string(lineNo) + ": " +
                                 entry.status().message());
        // Flushed per edit: a reader knows each commit as soon as it happened.
        out << "committed #" << entry->id << " " << entry->label << std::endl;
    }
    return kExitOk;
}

int undoRedo(std::span<const std::string> rest, bool undoing, std::ostream& out,
             std::ostream& err) {
    if (rest.empty() || rest.size() > 2) {
        err << "sightline project: " << (undoing ? "undo" : "redo")
            << " needs a project and optionally a COUNT\n";
        return kExitUsage;
    }
    int64_t count = 1;
    if (rest.size() == 2) {
        auto n = integer(rest[1], "COUNT");
        if (!n || *n < 1)
            return fail(err, "COUNT must be a positive integer, not '" + rest[1] + "'");
        count = *n;
    }
    auto project = store::ProjectStore::open(rest[0]);
    if (!project) return fail(err, project.status().message());
    for (int64_t k = 0; k < count; ++k) {
        auto entry = undoing ? (*project)->undo() : (*project)->redo();
        if (!entry) return fail(err, entry.status().message());
        out << (undoing ? "undid #" : "redid #") << entry->id << " " << entry->label << "\n";
    }
    return kExitOk;
}

int history(std::span<const std::string> rest, std::ostream& out, std::ostream& err) {
    if (rest.size() != 1) {
        err << "sightline project: history needs exactly one project\n";
        return kExitUsage;
    }
    auto project = store::ProjectStore::open(rest[0], /*readOnly=*/true);
    if (!project) return fail(err, project.status().message());
    auto entries = (*project)->history();
    if (!entries) return fail(err, entries.status().message());
    for (const store::HistoryEntry& e : *entries)
        out << "#" << e.id << (e.done ? " done   " : " undone ") << e.label << "\n";
    out << entries->size() << " entries (at most " << store::ProjectStore::kHistoryEntries
        << " kept)\n";
    return kExitOk;
}

}  // namespace

const char* projectEditUsage() { return kEditOps; }

int runProjectEdit(const std::string& sub, std::span<const std::string> rest, std::ostream& out,
                   std::ostream& err) {
    if (sub == "edit") return edit(rest, out, err);
    if (sub == "undo") return undoRedo(rest, true, out, err);
    if (sub == "redo") return undoRedo(rest, false, out, err);
    return history(rest, out, err);
}

}  // namespace sl::cli
