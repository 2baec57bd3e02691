#pragma once
// Builds small ONNX models in tests (nn_*_test.cpp) with ONNX's own protobuf classes, so the
// importer is tested on exactly what ONNX's tools would write.

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <string>
#include <vector>

#include <unistd.h>

namespace sl::nn::test {

class ModelBuilder {
public:
    explicit ModelBuilder(int opset = 13) {
        model_.set_ir_version(8);
        model_.set_producer_name("sightline-tests");
        auto* o = model_.add_opset_import();
        o->set_domain("");
        o->set_version(opset);
        model_.mutable_graph()->set_name("test");
    }

    onnx::ModelProto& model() { return model_; }
    onnx::GraphProto& graph() { return *model_.mutable_graph(); }

    // dims: -1 becomes the symbolic dimension "N".
    void input(const std::string& name, std::vector<int64_t> dims,
               int type = onnx::TensorProto::FLOAT) {
        fill(graph().add_input(), name, dims, type);
    }
    void output(const std::string& name, std::vector<int64_t> dims,
                int type = onnx::TensorProto::FLOAT) {
        fill(graph().add_output(), name, dims, type);
    }
    // Float initializer, in raw_data or in float_data.
    onnx::TensorProto* initializer(const std::string& name, std::vector<int64_t> dims,
                                   const std::vector<float>& values, bool raw = true) {
        auto* t = graph().add_initializer();
        t->set_name(name);
        t->set_data_type(onnx::TensorProto::FLOAT);
        for (int64_t d : dims) t->add_dims(d);
        if (raw)
            t->set_raw_data(std::string(reinterpret_cast<const char*>(values.data()),
                                        values.size() * sizeof(float)));
        else
            for (float v : values) t->add_float_data(v);
        return t;
    }
    onnx::TensorProto* initializerInt64(const std::string& name, std::vector<int64_t> dims,
                                        const std::vector<int64_t>& values, bool raw = false) {
        auto* t = graph().add_initializer();
        t->set_name(name);
        t->set_data_type(onnx::TensorProto::INT64);
        for (int64_t d : dims) t->add_dims(d);
        if (raw)
            t->set_raw_data(std::string(reinterpret_cast<const char*>(values.data()),
                                        values.size() * sizeof(int64_t)));
        else
            for (int64_t v : values) t->add_int64_data(v);
        return t;
    }
    onnx::NodeProto* node(const std::string& op, std::vector<std::string> ins,
                          std::vector<std::string> outs, const std::string& name = {}) {
        auto* n = graph().add_node();
        n->set_op_type(op);
        n->set_name(name.empty() ? op + std::to_string(graph().node_size()) : name);
        for (auto& i : ins) n->add_input(i);
        for (auto& o : outs) n->add_output(o);
        return n;
    }
    static void intsAttr(onnx::NodeProto* n, const std::string& name, std::vector<int64_t> v) {
        auto* a = n->add_attribute();
        a->set_name(name);
        a->set_type(onnx::AttributeProto::INTS);
        for (int64_t x : v) a->add_ints(x);
    }
    static void floatAttr(onnx::NodeProto* n, const std::string& name, float v) {
        auto* a = n->add_attribute();
        a->set_name(name);
        a->set_type(onnx::AttributeProto::FLOAT);
        a->set_f(v);
    }
    static void intAttr(onnx::NodeProto* n, const std::string& name, int64_t v) {
        auto* a = n->add_attribute();
        a->set_name(name);
        a->set_type(onnx::AttributeProto::INT);
        a->set_i(v);
    }

    std::string bytes() const { return model_.SerializeAsString(); }
    void save(const std::filesystem::path& path) const {
        std::ofstream(path, std::ios::binary) << bytes();
    }

private:
    static void fill(onnx::ValueInfoProto* vi, const std::string& name,
                     const std::vector<int64_t>& dims, int type) {
        vi->set_name(name);
        auto* tt = vi->mutable_type()->mutable_tensor_type();
        tt->set_elem_type(type);
        auto* shape = tt->mutable_shape();
        for (int64_t d : dims) {
            auto* dim = shape->add_dim();
            if (d < 0) dim->set_dim_param("N");
            else dim->set_dim_value(d);
        }
    }

    onnx::ModelProto model_;
};

// A fresh, empty directory under the system temp dir, removed with the object.
class TempDir {
public:
    TempDir() {
        path_ = std::filesystem::temp_directory_path() /
                ("sl-nn-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter()++));
        std::filesystem::create_directories(path_);
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    const std::filesystem::path& path() const { return path_; }
    std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

private:
    static int& counter() {
        static int c = 0;
        return c;
    }
    std::filesystem::path path_;
};

}  // namespace sl::nn::test
