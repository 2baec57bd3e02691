#include "annotate/formats/xml_fields.h"

#include <cfloat>
#include <cmath>

#include "annotate/formats/format.h"
#include "annotate/formats/text_fields.h"

namespace sl::annotate::formats::xml {

using tinyxml2::XMLElement;

std::string where(const XMLElement* e) {
    return "line " + std::to_string(e->GetLineNum()) + " <" + e->Name() + ">";
}

void parse(tinyxml2::XMLDocument& doc, const std::string& text, const std::string& file) {
    doc.Parse(text.data(), text.size());
    if (doc.Error()) {
        std::string problem = std::string("malformed XML (") + doc.ErrorName() + ")";
        if (const char* s = doc.ErrorStr(); s != nullptr) problem += ": " + std::string(s);
        throw FormatError(file, "line " + std::to_string(doc.ErrorLineNum()), "", problem);
    }
    if (doc.RootElement() == nullptr) throw FormatError(file, "", "", "no XML root element");
}

std::optional<std::string> optionalText(const XMLElement* e, const char* name) {
    const char* v = e->Attribute(name);
    if (v == nullptr) return std::nullopt;
    return std::string(v);
}

std::string requiredText(const XMLElement* e, const char* name, const std::string& file) {
    auto v = optionalText(e, name);
    if (!v) throw FormatError(file, where(e), name, "missing");
    return *v;
}

std::optional<int64_t> optionalInt(const XMLElement* e, const char* name,
                                   const std::string& file) {
    auto v = optionalText(e, name);
    if (!v) return std::nullopt;
    auto n = parseInt(*v);
    if (!n) throw FormatError(file, where(e), name, "'" + *v + "' is not an integer");
    return n;
}

int64_t requiredInt(const XMLElement* e, const char* name, const std::string& file) {
    auto n = optionalInt(e, name, file);
    if (!n) throw FormatError(file, where(e), name, "missing");
    return *n;
}

double requiredDouble(const XMLElement* e, const char* name, const std::string& file) {
    const std::string v = requiredText(e, name, file);
    auto d = parseDouble(v);
    if (!d) throw FormatError(file, where(e), name, "'" + v + "' is not a number");
    return *d;
}

bool flag(const XMLElement* e, const char* name, bool fallback, const std::string& file) {
    auto v = optionalText(e, name);
    if (!v) return fallback;
    auto b = parseFlag(*v);
    if (!b) throw FormatError(file, where(e), name, "'" + *v + "' is not 0 or 1");
    return *b;
}

std::optional<std::string> childText(const XMLElement* parent, const char* name) {
    const XMLElement* c = parent->FirstChildElement(name);
    if (c == nullptr) return std::nullopt;
    const char* t = c->GetText();
    return std::string(t != nullptr ? t : "");
}

std::optional<int64_t> childInt(const XMLElement* parent, const char* name,
                                const std::string& file) {
    const XMLElement* c = parent->FirstChildElement(name);
    if (c == nullptr) return std::nullopt;
    const char* t = c->GetText();
    const std::string s = t != nullptr ? t : "";
    auto n = parseInt(s);
    if (!n) throw FormatError(file, where(c), name, "'" + s + "' is not an integer");
    return n;
}

std::optional<double> childDouble(const XMLElement* parent, const char* name,
                                  const std::string& file) {
    const XMLElement* c = parent->FirstChildElement(name);
    if (c == nullptr) return std::nullopt;
    const char* t = c->GetText();
    const std::string s = t != nullptr ? t : "";
    auto d = parseDouble(s);
    if (!d) throw FormatError(file, where(c), name, "'" + s + "' is not a number");
    return d;
}

float toFloat(double v) {
    if (std::isnan(v)) return NAN;
    if (v > double(FLT_MAX)) return INFINITY;
    if (v < -double(FLT_MAX)) return -INFINITY;
    return float(v);
}

}  // namespace sl::annotate::formats::xml
