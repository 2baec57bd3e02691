// Conformance: ONNX's official backend tests (/usr/share/libonnx-testdata/data/{node,
// pytorch-converted,pytorch-operator}). Each test is model.onnx plus test_data_set_*/input_*.pb and
// output_*.pb. Every test whose ops are all in the registry runs on the CPU reference and on
// OpenCL (no CPU fallback) and must match the expected outputs; the runner prints passed / failed
// / unsupported per op and fails listing the failing tests.
//
// Tolerance: ONNX's backend default, rtol 1e-3 and atol 1e-7, on both devices.
//
// "Unsupported" (reported, not a failure): a test with an op type the registry does not know, an
// op factory/inference that refuses the node's attributes or dtypes as Unsupported, a model the
// importer cannot represent (sequence/optional types, strings), or, on OpenCL, a node whose op has
// no OpenCL path. Anything else that goes wrong is a failure.

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <map>
#include <optional>
#include <set>

#include "compute/cl_context.h"
#include "nn/onnx/onnx_importer.h"
#include "nn/ops/op_registry.h"
#include "nn/runtime/session.h"
#include "nn/tensor_util.h"

namespace sl::nn {
namespace {

namespace fs = std::filesystem;

constexpr const char* kTestDataRoot = "/usr/share/libonnx-testdata/data";
constexpr double kRtol = 1e-3;
constexpr double kAtol = 1e-7;

// Tests skipped on purpose, each with its reason. Keep this short and honest: an op bug is fixed,
// not listed here.
const std::map<std::string, std::string> kExclusions = {
};

struct TestCase {
    std::string name;   // "node/test_relu"
    fs::path dir;
};

std::vector<TestCase> enumerateTests() {
    std::vector<TestCase> tests;
    for (const char* suite : {"node", "pytorch-converted", "pytorch-operator"}) {
        const fs::path root = fs::path(kTestDataRoot) / suite;
        std::error_code ec;
        if (!fs::is_directory(root, ec)) continue;
        for (const auto& e : fs::directory_iterator(root, ec))
            if (fs::exists(e.path() / "model.onnx"))
                tests.push_back(
                    {std::string(suite) + "/" + e.path().filename().string(), e.path()});
    }
    std::sort(tests.begin(), tests.end(),
              [](const TestCase& a, const TestCase& b) { return a.name < b.name; });
    return tests;
}

// input_0.pb, input_1.pb, ... in index order (not lexical: input_10 after input_9).
Expected<std::vector<Tensor>> readSet(const fs::path& dir, const std::string& prefix) {
    std::vector<Tensor> out;
    for (int i = 0;; ++i) {
        const fs::path p = dir / (prefix + std::to_string(i) + ".pb");
        if (!fs::exists(p)) break;
        auto t = readTensorProtoFile(p);
        if (!t) return t.status();
        out.push_back(std::move(*t));
    }
    return out;
}

enum class Outcome { Passed, Failed, Unsupported };

struct DeviceResult {
    Outcome outcome = Outcome::Passed;
    std::string detail;
};

// Runs every data set of one test on `device`.
DeviceResult runOn(const Graph& graph, const fs::path& dir, Device device,
                   const compute::ComputeContext* cl) {
    std::vector<fs::path> sets;
    for (const auto& e : fs::directory_iterator(dir))
        if (e.is_directory() && e.path().filename().string().rfind("test_data_set_", 0) == 0)
            sets.push_back(e.path());
    std::sort(sets.begin(), sets.end());
    if (sets.empty()) return {Outcome::Unsupported, "no test data sets"};
    for (const fs::path& set : sets) {
        auto inputs = readSet(set, "input_");
        auto expected = readSet(set, "output_");
        if (!inputs || !expected)
            return {Outcome::Unsupported,
                    "test data: " + (!inputs ? inputs : expected).status().message()};
        SessionOptions o;
        o.device = device;
        o.compute = cl;
        if (inputs->size() != graph.inputs().size())
            return {Outcome::Unsupported, "test data has " + std::to_string(inputs->size()) +
                                              " inputs, the model " +
                                              std::to_string(graph.inputs().size())};
        for (size_t i = 0; i < inputs->size(); ++i)
            o.inputShapes[graph.value(graph.inputs()[i]).name] = (*inputs)[i].shape();
        auto session = Session::create(graph, o);
        bool frozen = false;
        if (!session) {
            // Shape-carrying inputs (Reshape's shape, Slice's starts, ...) fed as graph inputs:
            // the engine needs their values when it plans; bind the integer inputs as constants.
            SessionOptions f = o;
            for (size_t i = 0; i < inputs->size(); ++i) {
                const DType t = (*inputs)[i].dtype();
                if (t == DType::Int64 || t == DType::Int32) {
                    const std::string& name = graph.value(graph.inputs()[i]).name;
                    f.constantInputs[name] = (*inputs)[i];
                    f.inputShapes.erase(name);
                }
            }
            if (!f.constantInputs.empty()) {
                auto retry = Session::create(graph, f);
                if (retry) {
                    session = std::move(retry);
                    frozen = true;
                }
            }
        }
        if (!session)
            return {session.status().code() == StatusCode::Unsupported ? Outcome::Unsupported
                                                                        : Outcome::Failed,
                    session.status().message()};
        std::vector<Tensor> feed;
        for (size_t i = 0; i < inputs->size(); ++i) {
            const std::string& name = graph.value(graph.inputs()[i]).name;
            const auto& ins = (*session)->inputs();
            if (frozen && std::none_of(ins.begin(), ins.end(),
                                       [&](const SessionIo& io) { return io.name == name; }))
                continue;
            feed.push_back((*inputs)[i]);
        }
        auto outputs = (*session)->run(feed);
        if (!outputs) return {Outcome::Failed, outputs.status().message()};
        if (outputs->size() != expected->size())
            return {Outcome::Failed, "got " + std::to_string(outputs->size()) +
                                         " outputs, expected " + std::to_string(expected->size())};
        for (size_t i = 0; i < outputs->size(); ++i) {
            const CompareResult r = compareTensors((*outputs)[i], (*expected)[i], kRtol, kAtol);
            if (!r.ok)
                return {Outcome::Failed, set.filename().string() + " output " + std::to_string(i) +
                                             ": " + r.message};
        }
    }
    return {};
}

struct OpCounts {
    int passed[2] = {0, 0};   // [cpu-ref, opencl]
    int failed[2] = {0, 0};
    int unsupported[2] = {0, 0};
};

TEST(NnConformance, OnnxBackendTests) {
    const auto tests = enumerateTests();
    // packaging/setup.sh installs libonnx-testdata: missing data is a broken setup, not a skip.
    ASSERT_FALSE(tests.empty()) << "no ONNX test data in " << kTestDataRoot
                                << " (install libonnx-testdata)";
    auto cl = compute::ComputeContext::create();
    ASSERT_TRUE(cl) << cl.status().message();

    std::map<std::string, OpCounts> perOp;
    std::vector<std::string> failures;
    int totals[3][2] = {};   // outcome x device
    int excluded = 0;
    for (const TestCase& t : tests) {
        if (kExclusions.count(t.name)) {
            ++excluded;
            continue;
        }
        std::set<std::string> ops;
        auto graph = importOnnx(t.dir / "model.onnx");
        DeviceResult results[2];
        if (!graph) {
            results[0] = results[1] = {Outcome::Unsupported, graph.status().message()};
            ops.insert("(import)");
        } else {
            for (const Node& n : graph->nodes()) ops.insert(n.desc.opType);
            std::string unknown;
            for (const std::string& op : ops)
                if (!isOpSupported(op)) unknown += (unknown.empty() ? "" : ", ") + op;
            if (!unknown.empty()) {
                results[0] =
                    results[1] = {Outcome::Unsupported, "ops not in the registry: " + unknown};
            } else {
                results[0] = runOn(*graph, t.dir, Device::CpuReference, nullptr);
                results[1] = runOn(*graph, t.dir, Device::OpenCL, &*cl);
            }
            if (ops.empty()) ops.insert("(no nodes)");
        }
        for (int d = 0; d < 2; ++d) {
            ++totals[int(results[d].outcome)][d];
            for (const std::string& op : ops) {
                OpCounts& c = perOp[op];
                if (results[d].outcome == Outcome::Passed) ++c.passed[d];
                if (results[d].outcome == Outcome::Failed) ++c.failed[d];
                if (results[d].outcome == Outcome::Unsupported) ++c.unsupported[d];
            }
            if (results[d].outcome == Outcome::Failed)
                failures.push_back(t.name + " [" + (d ? "opencl" : "cpu-ref") + "]: " +
                                   results[d].detail);
        }
        if (std::getenv("SL_CONFORMANCE_VERBOSE"))
            for (int d = 0; d < 2; ++d)
                if (results[d].outcome == Outcome::Unsupported)
                    std::cout << "  unsupported " << t.name << " [" << (d ? "opencl" : "cpu-ref")
                              << "]: " << results[d].detail << "\n";
    }

    std::printf("%-28s %17s %17s\n", "op (tests containing it)", "cpu-ref p/f/u", "opencl p/f/u");
    for (const auto& [op, c] : perOp) {
        if (c.passed[0] + c.failed[0] + c.passed[1] + c.failed[1] == 0 &&
            !std::getenv("SL_CONFORMANCE_VERBOSE"))
            continue;   // ops nothing supports yet: summarised below
        std::printf("%-28s %5d/%4d/%5d %7d/%4d/%5d\n", op.c_str(), c.passed[0], c.failed[0],
                    c.unsupported[0], c.passed[1], c.failed[1], c.unsupported[1]);
    }
    std::printf("tests: %zu (%d excluded); cpu-ref: %d passed, %d failed, %d unsupported; "
                "opencl: %d passed, %d failed, %d unsupported\n",
                tests.size(), excluded, totals[0][0], totals[1][0], totals[2][0], totals[0][1],
                totals[1][1], totals[2][1]);
    std::string list;
    for (const std::string& f : failures) list += "  " + f + "\n";
    EXPECT_TRUE(failures.empty()) << failures.size() << " failing conformance runs:\n" << list;
}

}  // namespace
}  // namespace sl::nn
