// `sightline eval GT PRED`: detection metrics (COCO bbox evaluation) and, when PRED has track ids,
// tracking metrics (CLEAR MOT, Identity, HOTA), of PRED against GT; each a file of any supported
// format or PROJECT.slproj#SET. A COCO results list as PRED is read against a COCO GT's images
// and categories. --per-frame FILE writes the CLEAR errors (false positive, miss, id switch,
// fragmentation) one per line for the review timeline. A project set is compared as it shows
// (keyframed tracks interpolated: annotate::visibleObjects, the Evaluation panel's function).

#include <cstdio>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "annotate/formats/coco.h"
#include "annotate/visible_objects.h"
#include "cli/annotation_args.h"
#include "cli/cli.h"
#include "core/atomic_file.h"
#include "eval/coco_eval.h"
#include "eval/mot_metrics.h"

namespace sl::cli {

namespace {

namespace fmt = annotate::formats;
using ojson = nlohmann::ordered_json;

constexpr const char* kUsage =
    "sightline eval GT PRED [--iou T] [--json] [--per-frame FILE.csv] [--metrics "
    "detection|tracking|all]\n"
    "                [--mot-challenge] [--mot20] [input options]\n"
    "  GT, PRED: annotation files (any format) or PROJECT.slproj#SET\n"
    "  --iou: the CLEAR / Identity match threshold (default 0.5; COCO uses .50:.95)\n"
    "  --metrics: default detection, plus tracking when PRED has track ids\n"
    "  --mot-challenge: MOT16/17 ground-truth rules (distractors removed after matching,\n"
    "    pedestrians only); --mot20: the same with MOT20's distractor classes";

std::string num(double v, int digits = 4) {
    if (v < 0) return "-";
    std::ostringstream os;
    os << std::fixed << std::setprecision(digits) << v;
    return os.str();
}

bool isResultsList(const std::string& path) {
    std::ifstream in(path);
    char c = 0;
    while (in.get(c))
        if (!std::isspace(static_cast<unsigned char>(c))) return c == '[';
    return false;
}

}  // namespace

int runEval(std::span<const std::string> args, std::ostream& out, std::ostream& err) {
    AnnotationInputArgs in;
    std::string gtSpec, predSpec, perFrame, metrics;
    bool json = false;
    eval::MotOptions mot;
    const auto usage = [&](const std::string& problem) {
        err << "sightline eval: " << problem << "\nusage: " << kUsage << "\n"
            << kAnnotationInputUsage << "\n";
        return kExitUsage;
    };
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        std::string problem;
        if (const int r = parseAnnotationInputArg(args, i, in, problem); r < 0)
            return usage(problem);
        else if (r > 0)
            continue;
        if (a == "-h" || a == "--help") {
            out << "usage: " << kUsage << "\n" << kAnnotationInputUsage << "\n";
            return kExitOk;
        } else if (a == "--iou" && i + 1 < args.size()) {
            char* end = nullptr;
            mot.iouThreshold = std::strtod(args[++i].c_str(), &end);
            if (*end != '\0' || !(mot.iouThreshold > 0 && mot.iouThreshold <= 1))
                return usage("--iou needs a number in (0, 1], not '" + args[i] + "'");
        } else if (a == "--json") {
            json = true;
        } else if (a == "--per-frame" && i + 1 < args.size()) {
            perFrame = args[++i];
        } else if (a == "--metrics" && i + 1 < args.size()) {
            metrics = args[++i];
            if (metrics != "detection" && metrics != "tracking" && metrics != "all")
                return usage("--metrics needs detection, tracking or all");
        } else if (a == "--mot-challenge") {
            mot.motChallenge = true;
        } else if (a == "--mot20") {
            mot.motChallenge = mot.mot20 = true;
        } else if (a.size() > 1 && a[0] == '-') {
            return usage("unknown or incomplete option '" + a + "'");
        } else if (gtSpec.empty()) {
            gtSpec = a;
        } else if (predSpec.empty()) {
            predSpec = a;
        } else {
            return usage("more than two inputs given");
        }
    }
    if (predSpec.empty()) return usage("needs GT and PRED");
    const auto fail = [&](const std::string& m) {
        err << "sightline eval: " << m << "\n";
        return kExitFailure;
    };
    if (Status st = resolveVideo(in); !st) return fail(st.message());
    AnnotationInputArgs gtArgs = in;
    gtArgs.options.kind = annotate::SetKind::GroundTruth;
    auto gt = loadAnnotationSet(gtSpec, gtArgs);
    if (!gt) return fail(gt.status().message());
    AnnotationInputArgs predArgs = in;
    predArgs.options.kind = annotate::SetKind::ModelRun;
    LoadedSet pred;
    if (!gt->frames.empty() && isResultsList(predSpec)) {
        // A COCO results list: image and category ids mean what the ground truth says.
        try {
            fmt::Imported g;
            g.set = gt->set;
            g.frames = gt->frames;
            g.labelIds = gt->labelIds;
            g.report = gt->report;
            fmt::Imported p = fmt::importCocoResultsText(fmt::readFile(predSpec), predSpec, g,
                                                         predArgs.options);
            pred.set = std::move(p.set);
            pred.report = std::move(p.report);
            pred.description = predSpec + " (coco results)";
        } catch (const std::exception& e) {
            return fail(e.what());
        }
    } else {
        auto p = loadAnnotationSet(predSpec, predArgs);
        if (!p) return fail(p.status().message());
        pred = std::move(*p);
    }
    // A project set is evaluated as it shows (annotate/visible_objects.h: keyframed tracks
    // interpolated up to the media's last frame), exactly as the Evaluation panel does; files
    // are evaluated as their format gives them.
    {
        std::string project, set;
        const bool gtStored = splitProjectSpec(gtSpec, project, set);
        const bool predStored = splitProjectSpec(predSpec, project, set);
        const int64_t frames = gtStored ? gt->media.frameCount
                               : predStored ? pred.media.frameCount
                                            : 0;
        const int64_t last = annotate::lastFrameOf(frames, {&gt->set, &pred.set});
        if (gtStored) gt->set.objects = annotate::visibleObjects(gt->set, last);
        if (predStored) pred.set.objects = annotate::visibleObjects(pred.set, last);
    }
    if (!json) {
        out << describeImport(gt->description, gt->report);
        out << describeImport(pred.description, pred.report);
    }
    bool tracked = false;
    for (const annotate::Object& o : pred.set.objects) tracked = tracked || o.trackId != annotate::kNoTrack;
    const bool doDetection = metrics.empty() || metrics == "detection" || metrics == "all";
    const bool doTracking = metrics == "tracking" || metrics == "all" || (metrics.empty() && tracked);

    ojson report;
    if (doDetection) {
        eval::CocoOptions co;
        for (const fmt::FrameInfo& f : gt->frames) co.frames.push_back(f.frame);
        const eval::CocoResult r = eval::cocoEvaluate(gt->set, pred.set, co);
        ojson stats;
        for (int i = 0; i < 12; ++i) stats[eval::cocoStatName(i)] = r.stats[size_t(i)];
        ojson classes = ojson::array();
        for (const eval::CocoClassResult& c : r.classes)
            classes.push_back({{"label", c.label}, {"ground_truth", c.groundTruth},
                               {"ap", c.ap}, {"ap50", c.ap50}, {"ap75", c.ap75},
                               {"precision50", c.precision50}, {"precision75", c.precision75}});
        report["detection"] = {{"images", r.images}, {"ground_truth", r.groundTruth},
                               {"detections", r.detections}, {"stats", stats},
                               {"classes", classes}};
        if (!json) {
            out << "\ndetection (COCO bbox, " << r.images << " images, " << r.groundTruth
                << " ground-truth boxes, " << r.detections << " detections)\n";
            for (int i = 0; i < 12; ++i)
                out << "  " << std::left << std::setw(6) << eval::cocoStatName(i) << std::right
                    << num(r.stats[size_t(i)]) << (i % 6 == 5 ? "\n" : "   ");
            out << "  per class (AP, AP50; classes with ground truth):\n";
            for (const eval::CocoClassResult& c : r.classes)
                if (c.groundTruth > 0)
                    out << "    " << std::left << std::setw(20) << c.label << std::right
                        << num(c.ap) << "  " << num(c.ap50) << "  (" << c.groundTruth << ")\n";
        }
    }
    eval::ClearResult clear;
    if (doTracking || !perFrame.empty()) {
        const eval::MotData data = eval::buildMotData(gt->set, pred.set, mot);
        clear = eval::clearMetrics(data, mot.iouThreshold);
        if (doTracking) {
            const eval::IdentityResult id = eval::identityMetrics(data, mot.iouThreshold);
            const eval::HotaResult hota = eval::hotaMetrics(data);
            report["tracking"] = {
                {"iou", mot.iouThreshold},
                {"mota", clear.mota}, {"motp", clear.motp}, {"tp", clear.tp}, {"fp", clear.fp},
                {"fn", clear.fn}, {"idsw", clear.idsw}, {"frag", clear.frag}, {"mt", clear.mt},
                {"pt", clear.pt}, {"ml", clear.ml}, {"gt_tracks", clear.gtTracks},
                {"recall", clear.recall}, {"precision", clear.precision},
                {"idf1", id.idf1}, {"idp", id.idp}, {"idr", id.idr}, {"idtp", id.idtp},
                {"idfp", id.idfp}, {"idfn", id.idfn},
                {"hota", hota.meanHota}, {"deta", hota.meanDetA}, {"assa", hota.meanAssA},
                {"loca", hota.meanLocA}, {"hota_alphas", hota.hota},
                {"removed_tracker_boxes", data.removedTrackerDets},
                {"removed_gt_boxes", data.removedGtDets}};
            if (!json)
                out << "\ntracking (IoU >= " << mot.iouThreshold << ", " << clear.gtTracks
                    << " ground-truth tracks)\n"
                    << "  MOTA " << num(clear.mota) << "  MOTP " << num(clear.motp) << "  IDF1 "
                    << num(id.idf1) << "  IDP " << num(id.idp) << "  IDR " << num(id.idr) << "\n"
                    << "  HOTA " << num(hota.meanHota) << "  DetA " << num(hota.meanDetA)
                    << "  AssA " << num(hota.meanAssA) << "  LocA " << num(hota.meanLocA) << "\n"
                    << "  TP " << clear.tp << "  FP " << clear.fp << "  FN " << clear.fn
                    << "  IDSW " << clear.idsw << "  Frag " << clear.frag << "  MT "
                    << clear.mt << "  PT " << clear.pt << "  ML " << clear.ml << "\n";
        }
    }
    if (!perFrame.empty()) {
        std::string csv = "frame,kind,gt_object,gt_track,pred_object,pred_track\n";
        for (const eval::FrameError& e : clear.errors)
            csv += std::to_string(e.frame) + "," + eval::frameErrorName(e.kind) + "," +
                   std::to_string(e.gtObjectId) + "," + std::to_string(e.gtTrackId) + "," +
                   std::to_string(e.predObjectId) + "," + std::to_string(e.predTrackId) + "\n";
        if (Status st = writeFileAtomic(perFrame, csv, "eval"); !st) return fail(st.message());
        if (!json) out << "wrote " << perFrame << " (" << clear.errors.size() << " errors)\n";
    }
    if (json) out << report.dump(1) << "\n";
    return kExitOk;
}

int runEval(std::span<const std::string> args) { return runEval(args, std::cout, std::cerr); }

}  // namespace sl::cli
