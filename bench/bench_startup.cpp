// bench_startup: time to the first detection of `sightline detect IMAGE`, as a user meets it.
//
//   bench_startup [IMAGE] [--cold N] [--warm N] [--inline] [--no-prepare]
//
// Each run is a fresh process (fork + exec of the built sightline) timed from start to exit:
//   cold     empty Sightline kernel cache and empty PoCL cache (two fresh directories per run:
//            $SIGHTLINE_KERNEL_CACHE, $POCL_CACHE_DIR): every kernel is compiled, with the
//            default build helpers (nn/runtime/build_helpers.h);
//   cold, one process   the same with $SIGHTLINE_BUILD_HELPERS=0, alternating with the above
//            (which goes first swaps every run), so their ratio is the helpers' gain;
//   warm     the same directories again after a cold run: programs come from the disk caches;
//   prepared warm after `sightline prepare` measured the device's kernel choices (15 min on a
//            2-core CPU; --no-prepare leaves it out);
//   inline   (--inline, one run: minutes on a CPU device) cold with `--measure`, what every cold
//            start did before tuning moved out of the way.
// Medians of the runs, and ratios against cold. Kernel tuning is on ($SIGHTLINE_KERNEL_TUNING is
// cleared), the model is the installed default. IMAGE defaults to the fetched dog.jpg.

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "bench_util.h"

namespace fs = std::filesystem;
using namespace sl::bench;

namespace {

// Runs argv with extra environment entries; returns wall seconds, or < 0 when it failed.
double runTimed(const std::vector<std::string>& argv, const std::vector<std::string>& env) {
    Timer t;
    const pid_t pid = ::fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        ::unsetenv("SIGHTLINE_KERNEL_TUNING");
        ::unsetenv("SIGHTLINE_BUILD_HELPERS");
        for (const std::string& e : env) ::putenv(const_cast<char*>(e.c_str()));
        std::vector<char*> args;
        for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
        args.push_back(nullptr);
        // Output is not part of the measurement: to /dev/null (a note on stderr stays visible).
        if (FILE* f = std::fopen("/dev/null", "w")) ::dup2(fileno(f), 1);
        ::execv(args[0], args.data());
        std::perror("bench_startup: exec");
        ::_exit(127);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    const double s = t.seconds();
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        std::fprintf(stderr, "bench_startup: %s exited with %d\n", argv[0].c_str(),
                     WIFEXITED(status) ? WEXITSTATUS(status) : -1);
        return -1;
    }
    return s;
}

struct Dirs {
    fs::path kernels, pocl;
    std::vector<std::string> env() const {
        return {"SIGHTLINE_KERNEL_CACHE=" + kernels.string(), "POCL_CACHE_DIR=" + pocl.string()};
    }
};

Dirs freshDirs(const fs::path& root, int n) {
    Dirs d{root / ("kernels-" + std::to_string(n)), root / ("pocl-" + std::to_string(n))};
    fs::remove_all(d.kernels);
    fs::remove_all(d.pocl);
    fs::create_directories(d.kernels);
    fs::create_directories(d.pocl);
    return d;
}

}  // namespace

int main(int argc, char** argv) {
    std::string image;
    int coldRuns = 3, warmRuns = 5;
    bool withInline = false, withPrepare = true;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--cold" && i + 1 < argc) coldRuns = std::atoi(argv[++i]);
        else if (a == "--warm" && i + 1 < argc) warmRuns = std::atoi(argv[++i]);
        else if (a == "--inline") withInline = true;
        else if (a == "--no-prepare") withPrepare = false;
        else image = a;
    }
    if (image.empty()) {
        const char* xdg = std::getenv("XDG_CACHE_HOME");
        const char* home = std::getenv("HOME");
        const fs::path cache = xdg ? fs::path(xdg) : fs::path(home ? home : "/tmp") / ".cache";
        image = (cache / "sightline" / "test-images" / "dog.jpg").string();
    }
    if (!fs::exists(image)) {
        std::fprintf(stderr, "bench_startup: %s not found (packaging/fetch-test-images.sh)\n",
                     image.c_str());
        return 1;
    }
    const std::string sightline = SL_BENCH_SIGHTLINE;
    const fs::path root = fs::temp_directory_path() / ("sightline-bench-startup-" +
                                                       std::to_string(::getpid()));
    const std::vector<std::string> detect{sightline, "detect", image};

    std::vector<double> cold, serial, warm, prepared;
    for (int r = 0; r < coldRuns; ++r) {
        const Dirs d = freshDirs(root, r);
        const auto runSerial = [&]() -> bool {
            std::vector<std::string> env = freshDirs(root, 1000 + r).env();
            env.push_back("SIGHTLINE_BUILD_HELPERS=0");
            const double s = runTimed(detect, env);
            if (s < 0) return false;
            serial.push_back(s);
            std::fprintf(stderr, "cold run %d, one process: %.2f s\n", r + 1, s);
            return true;
        };
        if (r % 2 == 1 && !runSerial()) return 1;
        const double c = runTimed(detect, d.env());
        if (c < 0) return 1;
        cold.push_back(c);
        std::fprintf(stderr, "cold run %d: %.2f s\n", r + 1, c);
        if (r % 2 == 0 && !runSerial()) return 1;
        if (r == 0) {
            for (int w = 0; w < warmRuns; ++w) {
                const double s = runTimed(detect, d.env());
                if (s < 0) return 1;
                warm.push_back(s);
            }
            Timer tp;
            if (withPrepare && runTimed({sightline, "prepare"}, d.env()) < 0) return 1;
            if (withPrepare) std::fprintf(stderr, "prepare: %.1f s\n", tp.seconds());
            for (int w = 0; withPrepare && w < warmRuns; ++w) {
                const double s = runTimed(detect, d.env());
                if (s < 0) return 1;
                prepared.push_back(s);
            }
        }
    }
    std::vector<double> inl;
    if (withInline) {
        const Dirs d = freshDirs(root, 99);
        std::vector<std::string> cmd = detect;
        cmd.push_back("--measure");
        const double s = runTimed(cmd, d.env());
        if (s < 0) return 1;
        inl.push_back(s);
    }
    fs::remove_all(root);

    const Stats c = summarize(cold), w = summarize(warm), p = summarize(prepared);
    std::printf("\nsightline detect %s: process start to exit, seconds (median of runs)\n",
                image.c_str());
    const std::vector<int> widths{26, 9, 9, 9, 6, 12};
    printRow({"start", "median", "min", "max", "runs", "vs cold"}, widths);
    const auto row = [&](const char* name, const Stats& s) {
        printRow({name, fixed(s.median), fixed(s.min), fixed(s.max), std::to_string(s.runs),
                  fixed(s.median / c.median, 3)},
                 widths);
    };
    row("cold (empty caches)", c);
    row("cold, one process", summarize(serial));
    row("warm (caches filled)", w);
    if (!prepared.empty()) row("warm after prepare", p);
    if (!inl.empty()) row("cold, measuring inline", summarize(inl));
    return 0;
}
