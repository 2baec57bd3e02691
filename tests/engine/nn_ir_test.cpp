// The IR (Graph) and the memory planner.

#include <gtest/gtest.h>

#include "nn/graph.h"
#include "nn/runtime/memory_planner.h"

namespace sl::nn {
namespace {

NodeDesc desc(const std::string& op, const std::string& name) {
    NodeDesc d;
    d.opType = op;
    d.name = name;
    return d;
}

TEST(NnIr, TopologicalOrderFollowsProducers) {
    Graph g;
    const ValueId x = g.addValue("x", {DType::Float32, {1}});
    const ValueId a = g.addValue("a", {DType::Float32, {1}});
    const ValueId b = g.addValue("b", {DType::Float32, {1}});
    const ValueId w = g.addConstant("w", Tensor(DType::Float32, {1}));
    g.inputs() = {x};
    g.addNode(desc("Add", "second"), {a, w}, {b});   // listed before its producer
    g.addNode(desc("Relu", "first"), {x}, {a});
    g.outputs() = {b};
    ASSERT_TRUE(g.validate());
    auto order = g.topologicalOrder();
    ASSERT_TRUE(order);
    EXPECT_EQ(*order, (std::vector<int>{1, 0}));
    EXPECT_EQ(g.producer(a), 1);
    EXPECT_EQ(g.producer(x), -1);
    EXPECT_EQ(g.consumerCounts()[size_t(a)], 1);
    EXPECT_EQ(g.nodes()[0].desc.inputCount, 2);
}

TEST(NnIr, CycleAndDanglingValueAreErrors) {
    Graph g;
    const ValueId a = g.addValue("a", {});
    const ValueId b = g.addValue("b", {});
    g.addNode(desc("Relu", "r1"), {a}, {b});
    g.addNode(desc("Relu", "r2"), {b}, {a});
    g.outputs() = {b};
    auto order = g.topologicalOrder();
    ASSERT_FALSE(order);
    EXPECT_NE(order.status().message().find("cycle"), std::string::npos);

    Graph h;
    const ValueId c = h.addValue("c", {});
    const ValueId d = h.addValue("d", {});
    h.addNode(desc("Relu", "r"), {c}, {d});
    h.outputs() = {d};
    const Status st = h.validate();
    EXPECT_FALSE(st);
    EXPECT_NE(st.message().find("'c'"), std::string::npos) << st.message();
}

TEST(NnIr, CompactDropsDeadNodesAndRenumbers) {
    Graph g;
    const ValueId x = g.addValue("x", {});
    const ValueId unused = g.addValue("unused", {});
    const ValueId y = g.addValue("y", {});
    const ValueId z = g.addValue("z", {});
    g.inputs() = {x};
    g.addNode(desc("Relu", "dead"), {x}, {unused});
    g.addNode(desc("Relu", "live"), {x}, {y});
    g.addNode(desc("Relu", "live2"), {y}, {z});
    g.outputs() = {z};
    g.nodes()[0].dead = true;
    g.compact();
    EXPECT_EQ(g.nodes().size(), 2u);
    EXPECT_EQ(g.values().size(), 3u);
    EXPECT_EQ(g.value(g.outputs()[0]).name, "z");
    EXPECT_EQ(g.value(g.nodes()[1].inputs[0]).name, "y");
    EXPECT_TRUE(g.validate());
    EXPECT_NE(g.summary().find("2 nodes: Relux2"), std::string::npos) << g.summary();
}

TEST(NnMemoryPlanner, ReusesBuffersOfDeadValues) {
    // A chain a -> b -> c -> d: a is dead once b exists, so c can take a's bytes.
    const std::vector<BufferRequest> r = {
        {1000, 0, 1}, {1000, 1, 2}, {1000, 2, 3}, {1000, 3, 4}};
    const MemoryPlan p = planMemory(r, 256);
    EXPECT_EQ(p.naiveBytes, 4000u);
    EXPECT_EQ(p.arenaBytes, 2048u);   // two 1024-byte slots
    for (size_t i = 0; i + 1 < r.size(); ++i) EXPECT_NE(p.offsets[i], p.offsets[i + 1]);
    for (size_t off : p.offsets) EXPECT_EQ(off % 256, 0u);
}

TEST(NnMemoryPlanner, NeverOverlapsLiveValues) {
    std::vector<BufferRequest> r;
    for (int i = 0; i < 60; ++i)
        r.push_back({size_t(100 + (i * 7919) % 5000), i % 17, i % 17 + (i * 31) % 9});
    const MemoryPlan p = planMemory(r, 64);
    for (size_t i = 0; i < r.size(); ++i) {
        EXPECT_LE(p.offsets[i] + r[i].bytes, p.arenaBytes);
        for (size_t j = i + 1; j < r.size(); ++j) {
            const bool timeOverlap = r[i].firstStep <= r[j].lastStep &&
                                     r[j].firstStep <= r[i].lastStep;
            const bool spaceOverlap = p.offsets[i] < p.offsets[j] + r[j].bytes &&
                                      p.offsets[j] < p.offsets[i] + r[i].bytes;
            EXPECT_FALSE(timeOverlap && spaceOverlap) << i << " vs " << j;
        }
    }
    EXPECT_LT(p.arenaBytes, p.naiveBytes);
}

}  // namespace
}  // namespace sl::nn
