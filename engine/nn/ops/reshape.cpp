#include "nn/ops/reshape.h"

#include <algorithm>
#include <cstring>

namespace sl::nn {

Expected<std::unique_ptr<Op>> Reshape::create(const NodeDesc& node) {
    std::unique_ptr<Reshape> op(new Reshape(node));
    const auto& a = node.attributes;
    const std::string& t = node.opType;
    if (t == "Reshape") {
        op->kind_ = Kind::Reshape;
        op->allowZero_ = a.get<int64_t>("allowzero", 0) != 0;
        if (node.opset < 5) op->haveAttr_ = a.has("shape");
        if (op->haveAttr_) op->attrValues_ = a.get<std::vector<int64_t>>("shape");
    } else if (t == "Flatten") {
        op->kind_ = Kind::Flatten;
        op->axis_ = a.get<int64_t>("axis", 1);
    } else if (t == "Squeeze" || t == "Unsqueeze") {
        op->kind_ = t == "Squeeze" ? Kind::Squeeze : Kind::Unsqueeze;
        if (node.opset < 13 && a.has("axes")) {
            op->haveAttr_ = true;
            op->attrValues_ = a.get<std::vector<int64_t>>("axes");
        }
    } else if (t == "Identity") {
        op->kind_ = Kind::Identity;
    } else {
        return nodeError(node, "not a reshape op", StatusCode::Internal);
    }
    return std::unique_ptr<Op>(std::move(op));
}

Status Reshape::readValues(std::span<const TensorInfo* const> inputs,
                           std::span<const Tensor* const> constants, std::vector<int64_t>& v,
                           bool& present) const {
    present = haveAttr_;
    v = attrValues_;
    if (haveAttr_ || opset_ < (kind_ == Kind::Reshape ? 5 : 13)) return Status::ok();
    if (inputs.size() < 2 || !inputs[1]) return Status::ok();
    if (constants.size() < 2 || !constants[1] || !readInts(*constants[1], v))
        return unsupported("input 1 must be a constant int64 tensor");
    present = true;
    return Status::ok();
}

Status Reshape::inferOutputs(std::span<const TensorInfo* const> inputs,
                             std::span<const Tensor* const> constants,
                             std::vector<TensorInfo>& outputs) {
    SL_TRY(requireInputs(inputs, 1));
    const Shape& in = inputs[0]->shape;
    const int64_t rank = int64_t(in.size());
    std::vector<int64_t> v;
    bool present = false;
    SL_TRY(readValues(inputs, constants, v, present));
    Shape out;
    switch (kind_) {
    case Kind::Identity: out = in; break;
    case Kind::Flatten: {
        const int64_t axis = axis_ < 0 ? axis_ + rank : axis_;
        if (axis < 0 || axis > rank) return fail("axis " + std::to_string(axis_) + " out of range");
        out = {product(in, 0, size_t(axis)), product(in, size_t(axis), in.size())};
        break;
    }
    case Kind::Reshape: {
        if (!present) return fail("no target shape");
        int64_t known = 1, inferAt = -1;
        for (size_t i = 0; i < v.size(); ++i) {
            int64_t d = v[i];
            if (d == 0 && !allowZero_) {
                if (int64_t(i) >= rank) return fail("0 at dim " + std::to_string(i) +
                                                    " beyond the input rank");
                d = in[i];
            }
            if (d == -1) {
                if (inferAt >= 0) return fail("more than one -1 in the shape");
                inferAt = int64_t(i);
                out.push_back(1);
                continue;
            }
            if (d < 0) return fail("negative dim in the shape");
            out.push_back(d);
            known *= d;
        }
        const int64_t total = elementCount(in);
        if (inferAt >= 0) {
            if (known == 0 || total % known != 0)
                return fail("cannot infer -1 reshaping " + shapeString(in));
            out[inferAt] = total / known;
        }
        break;
    }
    case Kind::Squeeze: {
        std::vector<bool> drop(rank, false);
        if (!present) {
            for (int64_t d = 0; d < rank; ++d) drop[d] = in[d] == 1;
        } else {
            for (int64_t a : v) {
                const int64_t d = normalizeAxis(a, rank);
                if (d < 0) return fail("axis " + std::to_string(a) + " out of range");
                if (in[d] != 1) return fail("dim " + std::to_string(d) + " is not 1");
                drop[d] = true;
            }
        }
        for (int64_t d = 0; d < rank; ++d)
            if (!drop[d]) out.push_back(in[d]);
        break;
    }
    case Kind::Unsqueeze: {
        if (!present) return fail("no axes");
        const int64_t outRank = rank + int64_t(v.size());
        std::vector<bool> ins(outRank, false);
        for (int64_t a : v) {
            const int64_t d = normalizeAxis(a, outRank);
            if (d < 0 || ins[d]) return fail("bad or repeated axis " + std::to_string(a));
            ins[d] = true;
        }
        size_t k = 0;
        for (int64_t d = 0; d < outRank; ++d) out.push_back(ins[d] ? 1 : in[k++]);
        break;
    }
    }
    if (elementCount(out) != elementCount(in))
        return fail("cannot reshape " + shapeString(in) + " to " + shapeString(out));
    outputs = {TensorInfo{inputs[0]->dtype, out}};
    return Status::ok();
}

Status Reshape::runReference(std::span<const Tensor* const> inputs, std::span<Tensor> outputs) {
    if (inputs[0]->bytes()) std::memcpy(outputs[0].raw(), inputs[0]->raw(), inputs[0]->bytes());
    return Status::ok();
}

}  // namespace sl::nn
