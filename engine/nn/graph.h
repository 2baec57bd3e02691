#pragma once
// The inference IR: values (tensors with dtype, shape and, for constants, their data) and nodes
// (op type, typed attributes, input/output value ids). Importers build it (nn/onnx), passes rewrite
// it (nn/passes), the runtime executes it (nn/runtime). Value ids are indices into values(); a
// removed node or value is not erased but marked dead, so ids stay stable while passes run, and
// compact() renumbers at the end.
//
// Shapes: a dimension that is not known statically is -1 (its ONNX dim_param, if any, is kept in
// Value::dimNames for messages). The runtime resolves every shape before it runs (from the input
// shapes given at session creation and the ops' inferOutputs) and refuses unresolved ones.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "nn/ops/op.h"
#include "nn/tensor.h"

namespace sl::nn {

using ValueId = int32_t;
inline constexpr ValueId kNoValue = -1;   // an absent optional input

struct Value {
    std::string name;
    TensorInfo info;                  // dims may be -1 (unknown) before the runtime resolves them
    std::vector<std::string> dimNames;   // ONNX dim_param per dim ("" when none); may be empty
    bool shapeKnown = false;          // the importer had a shape (rank known) for this value
    std::optional<Tensor> constant;   // initializers, Constant nodes and folded values
};

struct Node {
    NodeDesc desc;
    std::vector<ValueId> inputs;    // kNoValue for an absent optional input
    std::vector<ValueId> outputs;   // kNoValue for an unused optional output
    bool dead = false;
};

class Graph {
public:
    // Where the graph came from ("yolox_nano.onnx"), for messages.
    std::string source;
    int opset = 13;

    ValueId addValue(std::string name, TensorInfo info, bool shapeKnown = true);
    ValueId addConstant(std::string name, Tensor t);
    // Appends a node; its desc.inputCount/outputCount are set from the id lists.
    int addNode(NodeDesc desc, std::vector<ValueId> inputs, std::vector<ValueId> outputs);

    std::vector<Value>& values() { return values_; }
    const std::vector<Value>& values() const { return values_; }
    Value& value(ValueId id) { return values_[size_t(id)]; }
    const Value& value(ValueId id) const { return values_[size_t(id)]; }
    std::vector<Node>& nodes() { return nodes_; }
    const std::vector<Node>& nodes() const { return nodes_; }

    std::vector<ValueId>& inputs() { return inputs_; }
    const std::vector<ValueId>& inputs() const { return inputs_; }
    std::vector<ValueId>& outputs() { return outputs_; }
    const std::vector<ValueId>& outputs() const { return outputs_; }

    ValueId findValue(const std::string& name) const;   // kNoValue when absent
    bool isConstant(ValueId id) const { return id != kNoValue && value(id).constant.has_value(); }

    // Index of the live node producing `id`, or -1 (graph input, constant, absent).
    int producer(ValueId id) const;
    // For each value, how many live nodes read it (graph outputs are not counted).
    std::vector<int> consumerCounts() const;
    int liveNodeCount() const;

    // Live nodes in an order where every node follows the producers of its inputs (Kahn's
    // algorithm, stable: ties keep file order). A cycle is InvalidData naming a node on it.
    Expected<std::vector<int>> topologicalOrder() const;

    // Structural checks: ids in range, every value has at most one producer, every consumed
    // non-constant value is a graph input or produced by a node.
    Status validate() const;

    // Drops dead nodes and values nothing references; renumbers ids.
    void compact();

    // Multi-line description (inputs, outputs, node count per op type) for logs and the CLI.
    std::string summary() const;

private:
    std::vector<Value> values_;
    std::vector<Node> nodes_;
    std::vector<ValueId> inputs_;
    std::vector<ValueId> outputs_;
};

// "1x3x?x416" for a value with unknown dims (dim names when known: "Nx3x416x416").
std::string valueShapeString(const Value& v);

}  // namespace sl::nn
