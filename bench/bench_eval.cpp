// bench_eval: the metrics at the sizes, on generated data (fixed seeds):
//   COCO bbox evaluation of a val2017-sized set: 5,000 images, ~36k ground-truth boxes (7.3 per
//   image, 80 classes), 100k detections (20 per image: jittered copies of the ground truth and
//   random boxes). Goal <= 3 s.
//   CLEAR + Identity + HOTA on a MOT20-01-sized sequence: 429 frames, ~27k ground-truth boxes (63
//   people), ~20k tracker boxes (a jittered 75% of them, with id switches). Goal <= 1 s.
// Warm-up, repeated runs, medians; printed against the goals as ratios. There is no peer here:
// pycocotools and TrackEval are not Debian packages (their published timings on these sizes are
// ~10-20 s for COCOeval in Python and a few seconds for TrackEval).
//
// usage: bench_eval [--runs N]

#include <cstdio>
#include <random>
#include <string>

#include "bench_util.h"
#include "eval/coco_eval.h"
#include "eval/mot_metrics.h"

using namespace sl;
using annotate::AnnotationSet;
using annotate::Object;

namespace {

void cocoSets(AnnotationSet& gt, AnnotationSet& dt) {
    std::mt19937 rng(17);
    std::uniform_real_distribution<float> u(0, 1);
    std::poisson_distribution<int> perImage(7.3);
    for (int c = 0; c < 80; ++c) gt.labels.push_back("class" + std::to_string(c));
    for (int image = 0; image < 5000; ++image) {
        const int n = perImage(rng);
        for (int k = 0; k < n; ++k) {
            Object o;
            o.frame = image;
            o.label = gt.labels[size_t(rng() % 80)];
            const float w = 8 + u(rng) * 300, h = 8 + u(rng) * 300;
            const float x = u(rng) * (640 - w), y = u(rng) * (480 - h);
            o.box = {x, y, x + w, y + h};
            o.crowd = rng() % 100 == 0;
            gt.objects.push_back(o);
            // Detections: a jittered copy (sometimes with the wrong class) ...
            Object d = o;
            d.crowd = false;
            const float j = 0.1f * w;
            d.box = {x + (u(rng) - 0.5f) * j, y + (u(rng) - 0.5f) * j, x + w + (u(rng) - 0.5f) * j,
                     y + h + (u(rng) - 0.5f) * j};
            if (rng() % 10 == 0) d.label = gt.labels[size_t(rng() % 80)];
            d.score = u(rng);
            dt.objects.push_back(d);
        }
    }
    // ... and random boxes up to 100k.
    while (dt.objects.size() < 100000) {
        Object d;
        d.frame = int64_t(rng() % 5000);
        d.label = gt.labels[size_t(rng() % 80)];
        const float w = 8 + u(rng) * 200, h = 8 + u(rng) * 200;
        const float x = u(rng) * (640 - w), y = u(rng) * (480 - h);
        d.box = {x, y, x + w, y + h};
        d.score = u(rng) * 0.6f;
        dt.objects.push_back(d);
    }
}

void motSets(AnnotationSet& gt, AnnotationSet& tr) {
    std::mt19937 rng(29);
    std::uniform_real_distribution<float> u(0, 1);
    struct Person {
        float x, y, vx, vy;
    };
    std::vector<Person> people(63);
    for (Person& p : people) p = {u(rng) * 1800, u(rng) * 1000, u(rng) * 4 - 2, u(rng) * 2 - 1};
    std::vector<int64_t> trackerId(people.size());
    for (size_t i = 0; i < people.size(); ++i) trackerId[i] = int64_t(i) + 1000;
    int64_t nextId = 5000;
    for (int frame = 0; frame < 429; ++frame)
        for (size_t i = 0; i < people.size(); ++i) {
            Person& p = people[i];
            p.x += p.vx, p.y += p.vy;
            Object o;
            o.frame = frame;
            o.trackId = int64_t(i) + 1;
            o.label = "pedestrian";
            o.box = {p.x, p.y, p.x + 40, p.y + 110};
            gt.objects.push_back(o);
            if (u(rng) < 0.25f) continue;   // missed
            if (rng() % 400 == 0) trackerId[i] = nextId++;   // an id switch
            Object t = o;
            t.trackId = trackerId[i];
            t.box = {p.x + u(rng) * 6 - 3, p.y + u(rng) * 6 - 3, p.x + 40 + u(rng) * 6 - 3,
                     p.y + 110 + u(rng) * 6 - 3};
            tr.objects.push_back(t);
        }
}

}  // namespace

int main(int argc, char** argv) {
    int runs = 5;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--runs" && i + 1 < argc) runs = std::stoi(argv[++i]);
        else {
            std::fprintf(stderr, "usage: bench_eval [--runs N]\n");
            return 2;
        }
    }
    AnnotationSet cocoGt, cocoDt, motGt, motTr;
    cocoSets(cocoGt, cocoDt);
    motSets(motGt, motTr);
    std::printf("bench_eval: COCO %zu gt / %zu detections on 5000 images; MOT %zu gt / %zu "
                "tracker boxes on 429 frames; %d runs (+1 warm-up)\n",
                cocoGt.objects.size(), cocoDt.objects.size(), motGt.objects.size(),
                motTr.objects.size(), runs);
    double ap = 0, hota = 0;
    const auto coco = bench::summarize(bench::timeRuns(1, runs, [&] {
        ap = eval::cocoEvaluate(cocoGt, cocoDt).stats[0];
    }));
    const auto mot = bench::summarize(bench::timeRuns(1, runs, [&] {
        const eval::MotData d = eval::buildMotData(motGt, motTr, {});
        (void)eval::clearMetrics(d);
        (void)eval::identityMetrics(d);
        hota = eval::hotaMetrics(d).meanHota;
    }));
    const std::vector<int> w = {36, 12, 12, 10, 14};
    bench::printRow({"metric", "median ms", "min ms", "goal ms", "median/goal"}, w);
    bench::printRow({"COCO bbox eval (12 stats + classes)", bench::fixed(coco.median, 1),
                     bench::fixed(coco.min, 1), "3000", bench::fixed(coco.median / 3000, 3)},
                    w);
    bench::printRow({"CLEAR + Identity + HOTA", bench::fixed(mot.median, 1),
                     bench::fixed(mot.min, 1), "1000", bench::fixed(mot.median / 1000, 3)},
                    w);
    std::printf("(AP %.4f, HOTA %.4f: the work was done)\n", ap, hota);
    return 0;
}
