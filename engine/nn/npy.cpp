#include "nn/npy.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <fstream>

namespace sl::nn {

namespace {

constexpr char kMagic[] = "\x93NUMPY";

// Reads the Python literal value that follows `'key':` in the header dict; empty if absent.
std::string headerField(const std::string& header, const std::string& key) {
    const size_t k = header.find("'" + key + "'");
    if (k == std::string::npos) return {};
    size_t p = header.find(':', k);
    if (p == std::string::npos) return {};
    ++p;
    while (p < header.size() && header[p] == ' ') ++p;
    if (p >= header.size()) return {};
    const char open = header[p];
    const char close = open == '(' ? ')' : open == '\'' ? '\'' : open == '"' ? '"' : ',';
    const size_t end = header.find(close, p + 1);
    if (end == std::string::npos) return header.substr(p);
    return open == ',' || close == ',' ? header.substr(p, end - p)
                                       : header.substr(p, end - p + 1);
}

bool parseDescr(const std::string& descr, DType& dtype, bool& swap) {
    // descr like '<f4', '|u1', '>i8' (quotes included).
    if (descr.size() < 5) return false;
    const char order = descr[1];
    const std::string code = descr.substr(2, descr.size() - 3);
    swap = order == '>';
    if (code == "f4") dtype = DType::Float32;
    else if (code == "f2") dtype = DType::Float16;
    else if (code == "f8") dtype = DType::Float64;
    else if (code == "i8") dtype = DType::Int64;
    else if (code == "i4") dtype = DType::Int32;
    else if (code == "i1") dtype = DType::Int8;
    else if (code == "u1") dtype = DType::UInt8;
    else if (code == "b1") dtype = DType::Bool;
    else return false;
    return true;
}

const char* descrOf(DType t) {
    switch (t) {
    case DType::Float32: return "<f4";
    case DType::Float16: return "<f2";
    case DType::Float64: return "<f8";
    case DType::Int64: return "<i8";
    case DType::Int32: return "<i4";
    case DType::Int8: return "|i1";
    case DType::UInt8: return "|u1";
    case DType::Bool: return "|b1";
    }
    return "|u1";
}

}  // namespace

Expected<Tensor> parseNpy(const std::string& bytes, const std::string& name) {
    const auto fail = [&](const std::string& problem) {
        return Status(StatusCode::InvalidData, "nn/npy: '" + name + "': " + problem);
    };
    if (bytes.size() < 10 || bytes.compare(0, 6, kMagic, 6) != 0)
        return fail("not a .npy file (bad magic)");
    const int major = uint8_t(bytes[6]);
    size_t headerLen = 0, headerStart = 0;
    if (major == 1) {
        headerLen = uint8_t(bytes[8]) | size_t(uint8_t(bytes[9])) << 8;
        headerStart = 10;
    } else if (major == 2 || major == 3) {
        if (bytes.size() < 12) return fail("truncated header");
        headerLen = 0;
        for (int i = 0; i < 4; ++i) headerLen |= size_t(uint8_t(bytes[8 + i])) << (8 * i);
        headerStart = 12;
    } else {
        return fail("unsupported format version " + std::to_string(major));
    }
    if (headerStart + headerLen > bytes.size()) return fail("truncated header");
    const std::string header = bytes.substr(headerStart, headerLen);

    DType dtype;
    bool swap = false;
    const std::string descr = headerField(header, "descr");
    if (!parseDescr(descr, dtype, swap))
        return Status(StatusCode::Unsupported,
                      "nn/npy: '" + name + "': dtype " + (descr.empty() ? "?" : descr) +
                          " is not supported");
    if (headerField(header, "fortran_order").rfind("True", 0) == 0)
        return Status(StatusCode::Unsupported,
                      "nn/npy: '" + name + "': fortran_order arrays are not supported");
    const std::string shapeText = headerField(header, "shape");
    if (shapeText.empty() || shapeText[0] != '(') return fail("header has no shape");
    Shape shape;
    for (size_t p = 1; p < shapeText.size();) {
        while (p < shapeText.size() && (shapeText[p] == ' ' || shapeText[p] == ',')) ++p;
        if (p >= shapeText.size() || shapeText[p] == ')') break;
        if (!std::isdigit(uint8_t(shapeText[p]))) return fail("bad shape " + shapeText);
        int64_t d = 0;
        while (p < shapeText.size() && std::isdigit(uint8_t(shapeText[p]))) {
            d = d * 10 + (shapeText[p] - '0');
            if (d > (int64_t(1) << 40)) return fail("dimension too large in " + shapeText);
            ++p;
        }
        if (p < shapeText.size() && shapeText[p] == 'L') ++p;   // Python 2 longs
        shape.push_back(d);
    }
    const size_t dataStart = headerStart + headerLen;
    // Bound the shape before anything multiplies it out (elementCount, Tensor): dimensions of up
    // to 2^40 overflow int64 from the second one on. The non-zero dimensions are bounded even when
    // another is 0 (a valid empty array), since elementCount multiplies left to right. 2^40
    // elements is terabytes: no real file comes near it, and the data check below still applies.
    constexpr uint64_t kMaxElements = uint64_t(1) << 40;
    uint64_t product = 1;
    for (int64_t d : shape) {
        if (d == 0) continue;
        if (uint64_t(d) > kMaxElements / product) return fail("shape too large: " + shapeText);
        product *= uint64_t(d);
    }
    const int64_t n = elementCount(shape);
    const size_t need = size_t(n) * dtypeSize(dtype);
    if (n < 0 || bytes.size() - dataStart < need)
        return fail("data is truncated (" + std::to_string(bytes.size() - dataStart) +
                    " bytes, shape " + shapeString(shape) + " needs " + std::to_string(need) + ")");
    Tensor t(dtype, shape, bytes.data() + dataStart);
    if (swap && dtypeSize(dtype) > 1) {
        const size_t es = dtypeSize(dtype);
        auto* p = static_cast<uint8_t*>(t.raw());
        for (int64_t i = 0; i < n; ++i) std::reverse(p + size_t(i) * es, p + size_t(i + 1) * es);
    }
    return t;
}

std::string serializeNpy(const Tensor& t) {
    std::string shape = "(";
    for (size_t i = 0; i < t.shape().size(); ++i) {
        shape += std::to_string(t.shape()[i]);
        shape += t.shape().size() == 1 ? "," : (i + 1 < t.shape().size() ? ", " : "");
    }
    shape += ")";
    std::string header = std::string("{'descr': '") + descrOf(t.dtype()) +
                         "', 'fortran_order': False, 'shape': " + shape + ", }";
    // Version 1.0: magic(6) + version(2) + len(2) + header padded with spaces so that the data
    // starts on a 64-byte boundary, terminated by '\n'.
    const size_t total = (10 + header.size() + 1 + 63) / 64 * 64;
    header.append(total - 10 - header.size() - 1, ' ');
    header += '\n';
    std::string out(kMagic, 6);
    out += char(1);
    out += char(0);
    out += char(header.size() & 0xff);
    out += char(header.size() >> 8);
    out += header;
    if (t.bytes()) out.append(static_cast<const char*>(t.raw()), t.bytes());
    return out;
}

Expected<Tensor> readNpy(const std::filesystem::path& path) {
    const std::string name = path.filename().string();
    std::ifstream in(path, std::ios::binary);
    if (!in) return Status(StatusCode::NotFound, "nn/npy: '" + name + "': cannot open");
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return parseNpy(bytes, name);
}

Status writeNpy(const std::filesystem::path& path, const Tensor& t) {
    const std::string name = path.filename().string();
    const std::string bytes = serializeNpy(t);
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) return Status(StatusCode::Io, "nn/npy: '" + name + "': cannot open for writing");
    out.write(bytes.data(), std::streamsize(bytes.size()));
    out.close();
    if (!out) return Status(StatusCode::Io, "nn/npy: '" + name + "': write failed");
    return Status::ok();
}

}  // namespace sl::nn
