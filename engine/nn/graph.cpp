#include "nn/graph.h"

#include <algorithm>
#include <map>
#include <queue>
#include <unordered_map>

namespace sl::nn {

ValueId Graph::addValue(std::string name, TensorInfo info, bool shapeKnown) {
    Value v;
    v.name = std::move(name);
    v.info = std::move(info);
    v.shapeKnown = shapeKnown;
    values_.push_back(std::move(v));
    return ValueId(values_.size() - 1);
}

ValueId Graph::addConstant(std::string name, Tensor t) {
    ValueId id = addValue(std::move(name), t.info(), true);
    values_.back().constant = std::move(t);
    return id;
}

int Graph::addNode(NodeDesc desc, std::vector<ValueId> inputs, std::vector<ValueId> outputs) {
    Node n;
    desc.inputCount = int(inputs.size());
    desc.outputCount = int(outputs.size());
    n.desc = std::move(desc);
    n.inputs = std::move(inputs);
    n.outputs = std::move(outputs);
    nodes_.push_back(std::move(n));
    return int(nodes_.size() - 1);
}

ValueId Graph::findValue(const std::string& name) const {
    for (size_t i = 0; i < values_.size(); ++i)
        if (values_[i].name == name) return ValueId(i);
    return kNoValue;
}

int Graph::producer(ValueId id) const {
    if (id == kNoValue) return -1;
    for (size_t i = 0; i < nodes_.size(); ++i) {
        if (nodes_[i].dead) continue;
        for (ValueId o : nodes_[i].outputs)
            if (o == id) return int(i);
    }
    return -1;
}

std::vector<int> Graph::consumerCounts() const {
    std::vector<int> counts(values_.size(), 0);
    for (const Node& n : nodes_) {
        if (n.dead) continue;
        for (ValueId i : n.inputs)
            if (i != kNoValue) ++counts[size_t(i)];
    }
    return counts;
}

int Graph::liveNodeCount() const {
    return int(std::count_if(nodes_.begin(), nodes_.end(), [](const Node& n) { return !n.dead; }));
}

Expected<std::vector<int>> Graph::topologicalOrder() const {
    std::vector<int> producerOf(values_.size(), -1);
    for (size_t i = 0; i < nodes_.size(); ++i) {
        if (nodes_[i].dead) continue;
        for (ValueId o : nodes_[i].outputs)
            if (o != kNoValue) producerOf[size_t(o)] = int(i);
    }
    std::vector<int> pending(nodes_.size(), 0);
    std::vector<std::vector<int>> users(nodes_.size());
    for (size_t i = 0; i < nodes_.size(); ++i) {
        if (nodes_[i].dead) continue;
        for (ValueId in : nodes_[i].inputs) {
            if (in == kNoValue || values_[size_t(in)].constant) continue;
            int p = producerOf[size_t(in)];
            if (p < 0) continue;
            ++pending[i];
            users[size_t(p)].push_back(int(i));
        }
    }
    // Min-heap on the node index keeps file order among ready nodes (deterministic profiles).
    std::priority_queue<int, std::vector<int>, std::greater<>> ready;
    for (size_t i = 0; i < nodes_.size(); ++i)
        if (!nodes_[i].dead && pending[i] == 0) ready.push(int(i));
    std::vector<int> order;
    while (!ready.empty()) {
        int n = ready.top();
        ready.pop();
        order.push_back(n);
        for (int u : users[size_t(n)])
            if (--pending[size_t(u)] == 0) ready.push(u);
    }
    if (int(order.size()) != liveNodeCount()) {
        for (size_t i = 0; i < nodes_.size(); ++i)
            if (!nodes_[i].dead && pending[i] > 0)
                return Status(StatusCode::InvalidData,
                              "nn: graph has a cycle through node '" + nodes_[i].desc.name + "' (" +
                                  nodes_[i].desc.opType + ")");
    }
    return order;
}

Status Graph::validate() const {
    const auto bad = [](const std::string& m) {
        return Status(StatusCode::InvalidData, "nn: " + m);
    };
    std::vector<int> producers(values_.size(), 0);
    for (const Node& n : nodes_) {
        if (n.dead) continue;
        for (ValueId id : n.inputs)
            if (id != kNoValue && (id < 0 || size_t(id) >= values_.size()))
                return bad("node '" + n.desc.name + "' reads a value id out of range");
        for (ValueId id : n.outputs) {
            if (id == kNoValue) continue;
            if (id < 0 || size_t(id) >= values_.size())
                return bad("node '" + n.desc.name + "' writes a value id out of range");
            if (++producers[size_t(id)] > 1)
                return bad("value '" + values_[size_t(id)].name + "' has more than one producer");
            if (values_[size_t(id)].constant)
                return bad("node '" + n.desc.name + "' writes constant '" +
                           values_[size_t(id)].name + "'");
        }
    }
    std::vector<bool> isInput(values_.size(), false);
    for (ValueId id : inputs_) isInput[size_t(id)] = true;
    for (const Node& n : nodes_) {
        if (n.dead) continue;
        for (ValueId id : n.inputs) {
            if (id == kNoValue) continue;
            const Value& v = values_[size_t(id)];
            if (!v.constant && !isInput[size_t(id)] && producers[size_t(id)] == 0)
                return bad("node '" + n.desc.name + "' (" + n.desc.opType + ") reads '" + v.name +
                           "', which no node produces and is neither an input nor a constant");
        }
    }
    for (ValueId id : outputs_) {
        const Value& v = values_[size_t(id)];
        if (!v.constant && !isInput[size_t(id)] && producers[size_t(id)] == 0)
            return bad("graph output '" + v.name + "' is never produced");
    }
    return Status::ok();
}

void Graph::compact() {
    std::vector<bool> used(values_.size(), false);
    for (ValueId id : inputs_) used[size_t(id)] = true;
    for (ValueId id : outputs_) used[size_t(id)] = true;
    for (const Node& n : nodes_) {
        if (n.dead) continue;
        for (ValueId id : n.inputs)
            if (id != kNoValue) used[size_t(id)] = true;
        for (ValueId id : n.outputs)
            if (id != kNoValue) used[size_t(id)] = true;
    }
    std::vector<ValueId> remap(values_.size(), kNoValue);
    std::vector<Value> values;
    for (size_t i = 0; i < values_.size(); ++i) {
        if (!used[i]) continue;
        remap[i] = ValueId(values.size());
        values.push_back(std::move(values_[i]));
    }
    const auto map = [&](std::vector<ValueId>& ids) {
        for (ValueId& id : ids)
            if (id != kNoValue) id = remap[size_t(id)];
    };
    std::vector<Node> nodes;
    for (Node& n : nodes_) {
        if (n.dead) continue;
        map(n.inputs);
        map(n.outputs);
        nodes.push_back(std::move(n));
    }
    map(inputs_);
    map(outputs_);
    values_ = std::move(values);
    nodes_ = std::move(nodes);
}

std::string valueShapeString(const Value& v) {
    if (v.info.shape.empty()) return v.shapeKnown ? "scalar" : "unknown shape";
    std::string s;
    for (size_t i = 0; i < v.info.shape.size(); ++i) {
        if (i) s += 'x';
        if (v.info.shape[i] >= 0)
            s += std::to_string(v.info.shape[i]);
        else if (i < v.dimNames.size() && !v.dimNames[i].empty())
            s += v.dimNames[i];
        else
            s += '?';
    }
    return s;
}

std::string Graph::summary() const {
    std::string s;
    const auto describe = [&](const char* what, const std::vector<ValueId>& ids) {
        for (ValueId id : ids) {
            const Value& v = values_[size_t(id)];
            s += std::string(what) + " '" + v.name + "': " + dtypeName(v.info.dtype) + " " +
                 valueShapeString(v) + "\n";
        }
    };
    describe("input", inputs_);
    describe("output", outputs_);
    std::map<std::string, int> perOp;
    for (const Node& n : nodes_)
        if (!n.dead) ++perOp[n.desc.opType];
    s += std::to_string(liveNodeCount()) + " nodes:";
    for (const auto& [op, count] : perOp) s += " " + op + "x" + std::to_string(count);
    s += "\n";
    return s;
}

}  // namespace sl::nn
