// The explicit table of built-in ops (see op_registry.h for why it is explicit).
#include "nn/ops/op_registry.h"

#include <algorithm>
#include <utility>

#include "nn/ops/batch_norm.h"
#include "nn/ops/binary.h"
#include "nn/ops/cast.h"
#include "nn/ops/concat.h"
#include "nn/ops/constant_op.h"
#include "nn/ops/conv.h"
#include "nn/ops/conv_transpose.h"
#include "nn/ops/gather.h"
#include "nn/ops/gemm.h"
#include "nn/ops/matmul.h"
#include "nn/ops/pad.h"
#include "nn/ops/pool.h"
#include "nn/ops/reduce_mean.h"
#include "nn/ops/reshape.h"
#include "nn/ops/resize.h"
#include "nn/ops/shape_op.h"
#include "nn/ops/slice.h"
#include "nn/ops/softmax.h"
#include "nn/ops/split.h"
#include "nn/ops/transpose.h"
#include "nn/ops/unary.h"

namespace sl::nn {
namespace {

struct Entry {
    const char* opType;
    OpFactory factory;
};

// One row per ONNX op type; families share a factory that dispatches on node.opType.
constexpr Entry kOps[] = {
    {"Add", &Binary::create},
    {"AveragePool", &Pool::create},
    {"BatchNormalization", &BatchNorm::create},
    {"Cast", &Cast::create},
    {"Clip", &Unary::create},
    {"Concat", &Concat::create},
    {"Constant", &ConstantOp::create},
    {"Conv", &Conv::create},
    {"ConvTranspose", &ConvTranspose::create},
    {"Div", &Binary::create},
    {"Exp", &Unary::create},
    {"Flatten", &Reshape::create},
    {"Gather", &Gather::create},
    {"Gemm", &Gemm::create},
    {"GlobalAveragePool", &Pool::create},
    {"GlobalMaxPool", &Pool::create},
    {"HardSigmoid", &Unary::create},
    {"HardSwish", &Unary::create},
    {"Identity", &Reshape::create},
    {"LeakyRelu", &Unary::create},
    {"MatMul", &MatMul::create},
    {"MaxPool", &Pool::create},
    {"Mul", &Binary::create},
    {"PRelu", &Binary::create},
    {"Pad", &Pad::create},
    {"ReduceMean", &ReduceMean::create},
    {"Relu", &Unary::create},
    {"Reshape", &Reshape::create},
    {"Resize", &Resize::create},
    {"Shape", &ShapeOp::create},
    {"Sigmoid", &Unary::create},
    {"Slice", &Slice::create},
    {"Softmax", &Softmax::create},
    {"Split", &Split::create},
    {"Squeeze", &Reshape::create},
    {"Sub", &Binary::create},
    {"Tanh", &Unary::create},
    {"Transpose", &Transpose::create},
    {"Unsqueeze", &Reshape::create},
    {"Upsample", &Resize::create},
};

const Entry* find(std::string_view opType) {
    for (const Entry& e : kOps)
        if (opType == e.opType) return &e;
    return nullptr;
}

}  // namespace

Expected<std::unique_ptr<Op>> createOp(const NodeDesc& node) {
    const Entry* e = find(node.opType);
    if (!e)
        return Status(StatusCode::Unsupported,
                      "nn: op '" + node.opType + "' (node '" + node.name + "') is not supported");
    return e->factory(node);
}

bool isOpSupported(std::string_view opType) { return find(opType) != nullptr; }

std::vector<std::string> supportedOps() {
    std::vector<std::string> names;
    for (const Entry& e : kOps) names.emplace_back(e.opType);
    std::sort(names.begin(), names.end());
    return names;
}

}  // namespace sl::nn
