#include "nn/ops/constant_op.h"

namespace sl::nn {

Expected<std::unique_ptr<Op>> ConstantOp::create(const NodeDesc& node) {
    std::unique_ptr<ConstantOp> op(new ConstantOp(node));
    const auto& a = node.attributes;
    if (const AttributeValue* v = a.find("value"); v && std::holds_alternative<Tensor>(*v)) {
        op->value_ = std::get<Tensor>(*v);
    } else if (a.has("value_float")) {
        const float f = a.get<float>("value_float");
        op->value_ = Tensor(DType::Float32, {}, &f);
    } else if (a.has("value_floats")) {
        const auto f = a.get<std::vector<float>>("value_floats");
        op->value_ = Tensor(DType::Float32, {int64_t(f.size())}, f.data());
    } else if (a.has("value_int")) {
        const int64_t i = a.get<int64_t>("value_int");
        op->value_ = Tensor(DType::Int64, {}, &i);
    } else if (a.has("value_ints")) {
        const auto i = a.get<std::vector<int64_t>>("value_ints");
        op->value_ = Tensor(DType::Int64, {int64_t(i.size())}, i.data());
    } else {
        return nodeError(node, "needs a 'value' tensor (sparse and string values are not "
                               "supported)", StatusCode::Unsupported);
    }
    return std::unique_ptr<Op>(std::move(op));
}

Status ConstantOp::inferOutputs(std::span<const TensorInfo* const>,
                                std::span<const Tensor* const>, std::vector<TensorInfo>& outputs) {
    outputs = {value_.info()};
    return Status::ok();
}

Status ConstantOp::runReference(std::span<const Tensor* const>, std::span<Tensor> outputs) {
    outputs[0] = value_;
    return Status::ok();
}

}  // namespace sl::nn
