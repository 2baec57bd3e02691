// bench_store: the project store at the size: one million objects (33,334 frames of 30
// boxes, tracked) imported into a new project, the project opened, one frame's objects read, a
// set read whole. Warm-up, repeated runs, medians; the peer is SQLite itself: the same rows
// through one bare prepared INSERT in one transaction into a table without indexes (the floor of
// any SQLite store), printed as a ratio. Goals: import <= 5 s, open <= 0.5 s, a frame <= 1 ms.
//
// usage: bench_store [--runs N] [--objects N] [--dir DIR]

#include <sqlite3.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <random>
#include <string>

#include "bench_util.h"
#include "store/project_store.h"
#include "store/sqlite_handles.h"

namespace fs = std::filesystem;
using namespace sl;

namespace {

annotate::AnnotationSet generate(int64_t objects) {
    annotate::AnnotationSet set;
    set.name = "run";
    set.kind = annotate::SetKind::ModelRun;
    set.labels = {"person", "car", "bicycle"};
    std::mt19937 rng(7);
    std::uniform_real_distribution<float> pos(0, 1800);
    set.objects.reserve(size_t(objects));
    for (int64_t i = 0; i < objects; ++i) {
        annotate::Object o;
        o.frame = i / 30;
        o.trackId = i % 30 + 1 + (o.frame / 300) * 30;   // tracks of 300 frames
        o.pts = o.frame * 9000;
        o.label = set.labels[size_t(i % 3)];
        const float x = pos(rng), y = pos(rng) * 0.5f;
        o.box = {x, y, x + 60, y + 120};
        o.source = annotate::ObjectSource::Model;
        o.score = 0.3f + float(i % 70) / 100;
        o.keyframe = false;
        set.objects.push_back(std::move(o));
    }
    return set;
}

// The floor: the same number of rows, same columns, one statement, no index, no checks.
double rawInsertMs(const std::string& path, const annotate::AnnotationSet& set) {
    fs::remove(path);
    sqlite3* raw = nullptr;
    sqlite3_open(path.c_str(), &raw);
    store::SqliteDb db(raw);
    store::exec(raw, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
                     "CREATE TABLE o(set_id, id, track_id, label, x1, y1, x2, y2, frame, pts,"
                     " source, score, flags, visibility, area, attributes, revision)");
    bench::Timer t;
    store::exec(raw, "BEGIN");
    store::Statement s(raw, "INSERT INTO o VALUES(1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 1, ?10,"
                            " 0, 1.0, -1.0, NULL, 1)");
    int64_t id = 0;
    for (const annotate::Object& o : set.objects) {
        store::Statement::Use u(s);
        u.bind(1, ++id).bind(2, o.trackId).bind(3, o.label).bind(4, double(o.box.x1));
        u.bind(5, double(o.box.y1)).bind(6, double(o.box.x2)).bind(7, double(o.box.y2));
        u.bind(8, o.frame).bind(9, o.pts).bind(10, double(o.score)).run();
    }
    store::exec(raw, "COMMIT");
    return t.ms();
}

}  // namespace

int main(int argc, char** argv) {
    int runs = 3;
    int64_t count = 1'000'000;
    fs::path dir = fs::temp_directory_path() / ("sl_bench_store_" + std::to_string(::getpid()));
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--runs" && i + 1 < argc) runs = std::stoi(argv[++i]);
        else if (a == "--objects" && i + 1 < argc) count = std::stoll(argv[++i]);
        else if (a == "--dir" && i + 1 < argc) dir = argv[++i];
        else {
            std::fprintf(stderr, "usage: bench_store [--runs N] [--objects N] [--dir DIR]\n");
            return 2;
        }
    }
    fs::create_directories(dir);
    const std::string path = (dir / "bench.slproj").string();
    const annotate::AnnotationSet set = generate(count);
    const int64_t frames = set.objects.back().frame + 1;
    std::printf("bench_store: %lld objects, %lld frames, %d runs (+1 warm-up), in %s\n",
                (long long)count, (long long)frames, runs, dir.c_str());

    int64_t setId = 0;
    const auto importMs = bench::timeRuns(1, runs, [&] {
        fs::remove(path);
        fs::remove(path + "-wal");
        fs::remove(path + "-shm");
        auto p = store::ProjectStore::create(path);
        if (!p) {
            std::fprintf(stderr, "%s\n", p.status().message().c_str());
            std::exit(1);
        }
        annotate::MediaInfo m;
        m.path = "bench.mp4";
        auto id = (*p)->importSet(*(*p)->addMedia(m), set);
        if (!id) {
            std::fprintf(stderr, "%s\n", id.status().message().c_str());
            std::exit(1);
        }
        setId = *id;
    });
    const auto rawMs = bench::timeRuns(1, runs, [&] { rawInsertMs((dir / "raw.db").string(), set); });
    const auto openMs = bench::timeRuns(1, std::max(runs, 5), [&] {
        auto p = store::ProjectStore::open(path);
        if (!p) std::exit(1);
    });
    auto p = store::ProjectStore::open(path, /*readOnly=*/true);
    if (!p) return 1;
    std::mt19937 rng(3);
    std::uniform_int_distribution<int64_t> frame(0, frames - 1);
    size_t seen = 0;
    const auto frameMs = bench::timeRuns(100, 2000, [&] {
        auto objs = (*p)->objectsInFrame(setId, frame(rng));
        seen += objs ? objs->size() : 0;
    });
    const auto wholeMs = bench::timeRuns(1, runs, [&] {
        auto objs = (*p)->objects(setId);
        seen += objs ? objs->size() : 0;
    });

    const auto imp = bench::summarize(importMs), raw = bench::summarize(rawMs),
               opn = bench::summarize(openMs), frm = bench::summarize(frameMs),
               all = bench::summarize(wholeMs);
    const std::vector<int> w = {34, 12, 12, 10, 14};
    bench::printRow({"operation", "median ms", "min ms", "goal ms", "median/goal"}, w);
    auto row = [&](const char* name, const bench::Stats& s, double goal) {
        bench::printRow({name, bench::fixed(s.median, 3), bench::fixed(s.min, 3),
                         goal > 0 ? bench::fixed(goal, 1) : "-",
                         goal > 0 ? bench::fixed(s.median / goal, 3) : "-"},
                        w);
    };
    row("import (create + media + set)", imp, 5000);
    row("peer: bare SQLite INSERT, no index", raw, 0);
    row("open", opn, 500);
    row("one frame's objects", frm, 1);
    row("whole set read", all, 0);
    std::printf("import / bare SQLite insert: %.2fx; file %.1f MB; %zu objects read\n",
                imp.median / raw.median, double(fs::file_size(path)) / 1e6, seen);
    p->reset();
    fs::remove_all(dir);
    return 0;
}
