#include "nn/onnx/onnx_importer.h"

#include <onnx/checker.h>
#include <onnx/onnx_pb.h>
#include <onnx/shape_inference/implementation.h>
#include <onnx/version_converter/convert.h>

#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <unordered_map>

#include "core/log.h"

namespace sl::nn {

namespace {

namespace fs = std::filesystem;

// Every message of this module: "nn/onnx: 'model.onnx': <problem>".
struct Reporter {
    std::string file;
    Status operator()(StatusCode code, const std::string& problem) const {
        return Status(code, "nn/onnx: '" + file + "': " + problem);
    }
};

Expected<std::string> readFile(const fs::path& path, const Reporter& report) {
    std::error_code ec;
    if (!fs::exists(path, ec)) return report(StatusCode::NotFound, "no such file");
    if (fs::is_directory(path, ec)) return report(StatusCode::InvalidArgument, "is a directory");
    std::ifstream in(path, std::ios::binary);
    if (!in) return report(StatusCode::Io, "cannot open for reading");
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) return report(StatusCode::Io, "read error");
    return bytes;
}

Expected<DType> mapDType(int onnxType, const std::string& what, const Reporter& report) {
    using TP = onnx::TensorProto;
    switch (onnxType) {
    case TP::FLOAT: return DType::Float32;
    case TP::FLOAT16: return DType::Float16;
    case TP::DOUBLE: return DType::Float64;
    case TP::INT64: return DType::Int64;
    case TP::INT32: return DType::Int32;
    case TP::INT8: return DType::Int8;
    case TP::UINT8: return DType::UInt8;
    case TP::BOOL: return DType::Bool;
    default: break;
    }
    const std::string name = onnx::TensorProto::DataType_IsValid(onnxType)
                                 ? onnx::TensorProto::DataType_Name(onnxType)
                                 : std::to_string(onnxType);
    return report(StatusCode::Unsupported, what + " has data type " + name + ", not supported");
}

// Copies a typed repeated field into the tensor's elements, converting to the element type
// (int32_data carries int8/uint8/bool and float16 bit patterns, per onnx.proto).
template <class Field>
Status copyTyped(const Field& field, Tensor& t, const std::string& what, const Reporter& report) {
    if (int64_t(field.size()) != t.elements())
        return report(StatusCode::InvalidData,
                      what + ": " + std::to_string(field.size()) + " values for shape " +
                          shapeString(t.shape()));
    for (int64_t i = 0; i < t.elements(); ++i) {
        const auto v = field.Get(int(i));
        switch (t.dtype()) {
        case DType::Float32: t.data<float>()[i] = float(v); break;
        case DType::Float16: t.data<uint16_t>()[i] = uint16_t(v); break;
        case DType::Float64: t.data<double>()[i] = double(v); break;
        case DType::Int64: t.data<int64_t>()[i] = int64_t(v); break;
        case DType::Int32: t.data<int32_t>()[i] = int32_t(v); break;
        case DType::Int8: t.data<int8_t>()[i] = int8_t(v); break;
        case DType::UInt8: t.data<uint8_t>()[i] = uint8_t(v); break;
        case DType::Bool: t.data<uint8_t>()[i] = v != 0; break;
        }
    }
    return Status::ok();
}

// Resolves an external data location against the model's folder. Absolute paths and paths that
// leave the folder are refused (a model must not read arbitrary files).
Expected<fs::path> externalPath(const std::string& location, const fs::path& modelDir,
                                const std::string& what, const Reporter& report) {
    fs::path rel(location);
    if (location.empty() || rel.is_absolute())
        return report(StatusCode::InvalidData,
                      what + ": external data location '" + location + "' must be relative");
    for (const auto& part : rel.lexically_normal())
        if (part == "..")
            return report(StatusCode::InvalidData,
                          what + ": external data location '" + location +
                              "' leaves the model's folder");
    return modelDir / rel;
}

Expected<Tensor> convertTensor(const onnx::TensorProto& tp, const fs::path& modelDir,
                               const Reporter& report) {
    const std::string what = "tensor '" + tp.name() + "'";
    auto dtype = mapDType(tp.data_type(), what, report);
    if (!dtype) return dtype.status();
    Shape shape;
    for (int64_t d : tp.dims()) {
        if (d < 0) return report(StatusCode::InvalidData, what + " has a negative dimension");
        shape.push_back(d);
    }
    Tensor t(*dtype, shape);
    const size_t bytes = t.bytes();

    if (tp.data_location() == onnx::TensorProto::EXTERNAL) {
        std::string location;
        int64_t offset = 0, length = -1;
        for (const auto& kv : tp.external_data()) {
            if (kv.key() == "location") location = kv.value();
            else if (kv.key() == "offset") offset = std::atoll(kv.value().c_str());
            else if (kv.key() == "length") length = std::atoll(kv.value().c_str());
        }
        auto path = externalPath(location, modelDir, what, report);
        if (!path) return path.status();
        std::error_code ec;
        if (!fs::exists(*path, ec))
            return report(StatusCode::NotFound,
                          what + ": external data file '" + location + "' not found");
        if (length >= 0 && size_t(length) != bytes)
            return report(StatusCode::InvalidData,
                          what + ": external data length " + std::to_string(length) +
                              " does not match shape " + shapeString(shape));
        const auto fileSize = fs::file_size(*path, ec);
        if (ec || offset < 0 || uint64_t(offset) + bytes > fileSize)
            return report(StatusCode::InvalidData,
                          what + ": external data file '" + location + "' is too short (" +
                              std::to_string(fileSize) + " bytes, need " +
                              std::to_string(uint64_t(offset) + bytes) + ")");
        std::ifstream in(*path, std::ios::binary);
        in.seekg(offset);
        in.read(static_cast<char*>(t.raw()), std::streamsize(bytes));
        if (!in)
            return report(StatusCode::Io, what + ": cannot read external data '" + location + "'");
        return t;
    }
    if (tp.has_raw_data()) {
        if (tp.raw_data().size() != bytes)
            return report(StatusCode::InvalidData,
                          what + ": raw_data has " + std::to_string(tp.raw_data().size()) +
                              " bytes, shape " + shapeString(shape) + " needs " +
                              std::to_string(bytes));
        // ONNX raw_data is little-endian, as is every host this engine targets.
        if (bytes) std::memcpy(t.raw(), tp.raw_data().data(), bytes);
        return t;
    }
    Status st;
    switch (*dtype) {
    case DType::Float32: st = copyTyped(tp.float_data(), t, what, report); break;
    case DType::Float64: st = copyTyped(tp.double_data(), t, what, report); break;
    case DType::Int64: st = copyTyped(tp.int64_data(), t, what, report); break;
    default: st = copyTyped(tp.int32_data(), t, what, report); break;
    }
    if (!st) return st;
    return t;
}

Status convertAttribute(const onnx::AttributeProto& a, const std::string& nodeWhat,
                        const fs::path& modelDir, const Reporter& report, Attributes& out) {
    using AP = onnx::AttributeProto;
    switch (a.type()) {
    case AP::FLOAT: out.set(a.name(), a.f()); break;
    case AP::INT: out.set(a.name(), int64_t(a.i())); break;
    case AP::STRING: out.set(a.name(), a.s()); break;
    case AP::FLOATS: out.set(a.name(), std::vector<float>(a.floats().begin(), a.floats().end()));
        break;
    case AP::INTS: out.set(a.name(), std::vector<int64_t>(a.ints().begin(), a.ints().end()));
        break;
    case AP::STRINGS:
        out.set(a.name(), std::vector<std::string>(a.strings().begin(), a.strings().end()));
        break;
    case AP::TENSOR: {
        auto t = convertTensor(a.t(), modelDir, report);
        if (!t) return t.status();
        out.set(a.name(), std::move(*t));
        break;
    }
    case AP::GRAPH:
    case AP::GRAPHS:
        return report(StatusCode::Unsupported,
                      nodeWhat + ": attribute '" + a.name() +
                          "' is a subgraph; control flow (If/Loop/Scan) is not supported");
    default:
        return report(StatusCode::Unsupported,
                      nodeWhat + ": attribute '" + a.name() + "' has an unsupported type " +
                          AP::AttributeType_Name(a.type()));
    }
    return Status::ok();
}

// The value of a Constant node (value, value_float(s), value_int(s)).
Expected<Tensor> constantNodeValue(const Attributes& attrs, const std::string& nodeWhat,
                                   const Reporter& report) {
    if (const auto* v = attrs.find("value"))
        if (const Tensor* t = std::get_if<Tensor>(v)) return *t;
    if (attrs.has("value_float")) {
        float f = attrs.get<float>("value_float");
        return Tensor(DType::Float32, {}, &f);
    }
    if (attrs.has("value_int")) {
        int64_t i = attrs.get<int64_t>("value_int");
        return Tensor(DType::Int64, {}, &i);
    }
    if (attrs.has("value_floats")) {
        auto f = attrs.get<std::vector<float>>("value_floats");
        return Tensor(DType::Float32, {int64_t(f.size())}, f.data());
    }
    if (attrs.has("value_ints")) {
        auto i = attrs.get<std::vector<int64_t>>("value_ints");
        return Tensor(DType::Int64, {int64_t(i.size())}, i.data());
    }
    return report(StatusCode::Unsupported,
                  nodeWhat + ": only tensor, float(s) and int(s) values are supported");
}

struct ValueTypeInfo {
    bool known = false;
    int elemType = 0;
    bool hasShape = false;
    Shape shape;
    std::vector<std::string> dimNames;
};

ValueTypeInfo typeInfo(const onnx::ValueInfoProto& vi) {
    ValueTypeInfo r;
    if (!vi.has_type() || !vi.type().has_tensor_type()) return r;
    const auto& tt = vi.type().tensor_type();
    r.known = true;
    r.elemType = tt.elem_type();
    if (tt.has_shape()) {
        r.hasShape = true;
        for (const auto& d : tt.shape().dim()) {
            r.shape.push_back(d.has_dim_value() ? d.dim_value() : -1);
            r.dimNames.push_back(d.has_dim_param() ? d.dim_param() : std::string());
        }
    }
    return r;
}

// Opset < 7 PRelu applies a 1-D slope per channel (axis 1); from opset 7 the slope broadcasts
// numpy-style (from the last axis), and ONNX's version converter does not rewrite it. Reshaping
// the slope to [C, 1, ..., 1] keeps the old meaning; anything else is refused rather than guessed.
Status fixLegacyPRelu(Graph& g, const Reporter& report) {
    for (Node& n : g.nodes()) {
        if (n.desc.opType != "PRelu" || n.inputs.size() != 2) continue;
        const Value& x = g.value(n.inputs[0]);
        const ValueId sid = n.inputs[1];
        const std::string what = "node '" + n.desc.name + "' (PRelu, upgraded from opset < 7)";
        if (!g.isConstant(sid))
            return report(StatusCode::Unsupported, what + ": the slope must be a constant");
        const Tensor& slope = *g.value(sid).constant;
        if (slope.elements() == 1) continue;
        if (slope.rank() != 1 || !x.shapeKnown || x.info.shape.size() < 2 ||
            x.info.shape[1] != slope.elements())
            return report(StatusCode::Unsupported,
                          what + ": slope " + shapeString(slope.shape()) +
                              " is not one value per channel of " + valueShapeString(x));
        Shape s(x.info.shape.size() - 1, 1);
        s[0] = slope.elements();
        n.inputs[1] = g.addConstant(g.value(sid).name + ":per_channel", slope.reshaped(s));
    }
    return Status::ok();
}

Expected<Graph> convertModel(const onnx::ModelProto& model, const fs::path& modelDir,
                             const Reporter& report, int originalOpset) {
    Graph g;
    g.source = report.file;
    int opset = -1;
    for (const auto& imp : model.opset_import())
        if (imp.domain().empty() || imp.domain() == "ai.onnx") opset = int(imp.version());
    if (opset < 0) return report(StatusCode::InvalidData, "no ai.onnx opset import");
    if (opset < kMinOnnxOpset || opset > kMaxOnnxOpset)
        return report(StatusCode::Unsupported,
                      "opset " + std::to_string(opset) + " is outside the supported range " +
                          std::to_string(kMinOnnxOpset) + ".." + std::to_string(kMaxOnnxOpset));
    g.opset = opset;
    const onnx::GraphProto& gp = model.graph();

    std::unordered_map<std::string, ValueTypeInfo> types;
    for (const auto& vi : gp.input()) types[vi.name()] = typeInfo(vi);
    for (const auto& vi : gp.value_info()) types[vi.name()] = typeInfo(vi);
    for (const auto& vi : gp.output()) types[vi.name()] = typeInfo(vi);

    std::unordered_map<std::string, ValueId> byName;
    // A value by name, created from its type information on first use.
    const auto valueFor = [&](const std::string& name) -> Expected<ValueId> {
        if (auto it = byName.find(name); it != byName.end()) return it->second;
        TensorInfo info;
        bool known = false;
        std::vector<std::string> dimNames;
        if (auto it = types.find(name); it != types.end() && it->second.known) {
            auto dt = mapDType(it->second.elemType, "value '" + name + "'", report);
            if (!dt) return dt.status();
            info.dtype = *dt;
            info.shape = it->second.shape;
            known = it->second.hasShape;
            dimNames = it->second.dimNames;
        }
        ValueId id = g.addValue(name, info, known);
        g.value(id).dimNames = std::move(dimNames);
        byName[name] = id;
        return id;
    };

    for (const auto& init : gp.initializer()) {
        auto t = convertTensor(init, modelDir, report);
        if (!t) return t.status();
        byName[init.name()] = g.addConstant(init.name(), std::move(*t));
    }
    for (const auto& in : gp.input()) {
        if (byName.count(in.name())) continue;   // an initializer's default wins (IR < 4 models)
        auto id = valueFor(in.name());
        if (!id) return id.status();
        g.inputs().push_back(*id);
    }

    std::map<std::string, int> unnamed;
    for (int ni = 0; ni < gp.node_size(); ++ni) {
        const onnx::NodeProto& np = gp.node(ni);
        NodeDesc desc;
        desc.opType = np.op_type();
        desc.name = np.name().empty() ? np.op_type() + "_" + std::to_string(ni) : np.name();
        desc.opset = opset;
        const std::string nodeWhat = "node '" + desc.name + "' (" + desc.opType + ")";
        if (!np.domain().empty() && np.domain() != "ai.onnx")
            return report(StatusCode::Unsupported,
                          nodeWhat + ": domain '" + np.domain() + "' is not supported");
        for (const auto& a : np.attribute())
            SL_TRY(convertAttribute(a, nodeWhat, modelDir, report, desc.attributes));

        if (desc.opType == "Constant") {
            auto t = constantNodeValue(desc.attributes, nodeWhat, report);
            if (!t) return t.status();
            if (np.output_size() != 1)
                return report(StatusCode::InvalidData, nodeWhat + ": needs one output");
            byName[np.output(0)] = g.addConstant(np.output(0), std::move(*t));
            continue;
        }
        std::vector<ValueId> ins, outs;
        for (const auto& name : np.input()) {
            if (name.empty()) {
                ins.push_back(kNoValue);
                continue;
            }
            auto id = valueFor(name);
            if (!id) return id.status();
            ins.push_back(*id);
        }
        // Trailing absent inputs carry no information; the ops see the shorter list.
        while (!ins.empty() && ins.back() == kNoValue) ins.pop_back();
        for (const auto& name : np.output()) {
            if (name.empty()) {
                outs.push_back(kNoValue);
                continue;
            }
            auto id = valueFor(name);
            if (!id) return id.status();
            outs.push_back(*id);
        }
        g.addNode(std::move(desc), std::move(ins), std::move(outs));
    }
    for (const auto& out : gp.output()) {
        auto id = valueFor(out.name());
        if (!id) return id.status();
        g.outputs().push_back(*id);
    }
    if (originalOpset < kMinOnnxOpset) SL_TRY(fixLegacyPRelu(g, report));
    if (Status st = g.validate(); !st) return report(st.code(), st.message());
    return g;
}

}  // namespace

Expected<Graph> importOnnx(const fs::path& path, const OnnxImportOptions& options) {
    const Reporter report{path.filename().string()};
    auto bytes = readFile(path, report);
    if (!bytes) return bytes.status();
    if (bytes->empty()) return report(StatusCode::InvalidData, "empty file");
    const fs::path modelDir = path.parent_path();
    // protobuf and ONNX report failures with exceptions (onnx::checker::ValidationError,
    // onnx::InferenceError, std::bad_alloc on absurd sizes); none may leave the engine.
    try {
        onnx::ModelProto model;
        if (!model.ParseFromString(*bytes))
            return report(StatusCode::InvalidData,
                          "not an ONNX model, or truncated (protobuf parse failed)");
        if (!model.has_graph() || model.ir_version() <= 0)
            return report(StatusCode::InvalidData, "not an ONNX model (no graph or IR version)");
        if (options.runChecker) {
            try {
                // The path overload sets the checker's model folder, which it needs to verify
                // external data files (it re-reads the file; models here are small).
                onnx::checker::check_model(path.string());
            } catch (const onnx::checker::ValidationError& e) {
                return report(StatusCode::InvalidData,
                              std::string("ONNX checker: ") + e.what());
            }
        }
        int opset = -1;
        for (const auto& imp : model.opset_import())
            if (imp.domain().empty() || imp.domain() == "ai.onnx") opset = int(imp.version());
        if (options.upgradeOldOpsets && opset >= 1 && opset < kMinOnnxOpset) {
            // ONNX's own version converter rewrites what changed (Add's broadcast attribute,
            // BatchNormalization's spatial, ...): safer than teaching every op the old forms.
            try {
                model = onnx::version_conversion::ConvertVersion(model, kMinOnnxOpset);
                logInfo("nn", "'" + report.file + "': upgraded from opset " +
                                  std::to_string(opset) + " to " + std::to_string(kMinOnnxOpset));
            } catch (const std::exception& e) {
                return report(StatusCode::Unsupported,
                              "opset " + std::to_string(opset) + " could not be upgraded to " +
                                  std::to_string(kMinOnnxOpset) + ": " + e.what());
            }
        }
        if (options.runShapeInference) {
            try {
                onnx::shape_inference::InferShapes(model);
            } catch (const std::exception& e) {
                return report(StatusCode::InvalidData,
                              std::string("ONNX shape inference: ") + e.what());
            }
        }
        return convertModel(model, modelDir, report, opset);
    } catch (const std::bad_alloc&) {
        return report(StatusCode::InvalidData, "out of memory while parsing (corrupt sizes?)");
    } catch (const std::exception& e) {
        return report(StatusCode::Internal, std::string("unexpected error: ") + e.what());
    }
}

Expected<Tensor> readTensorProtoFile(const fs::path& path) {
    const Reporter report{path.filename().string()};
    auto bytes = readFile(path, report);
    if (!bytes) return bytes.status();
    try {
        onnx::TensorProto tp;
        if (!tp.ParseFromString(*bytes))
            return report(StatusCode::InvalidData, "not a TensorProto (protobuf parse failed)");
        return convertTensor(tp, path.parent_path(), report);
    } catch (const std::exception& e) {
        return report(StatusCode::Internal, std::string("unexpected error: ") + e.what());
    }
}

}  // namespace sl::nn
