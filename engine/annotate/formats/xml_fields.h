#pragma once
// tinyxml2 helpers for the XML formats (CVAT, VOC): parse a document or throw FormatError with the
// line, read typed attributes and child texts with "line N <element>" and the field in every
// message.

#include <cstdint>
#include <optional>
#include <string>

#include <tinyxml2.h>

namespace sl::annotate::formats::xml {

// "line 12 <box>"
std::string where(const tinyxml2::XMLElement* e);

// Parses TEXT into DOC; throws FormatError(file, "line N", "", tinyxml2's message).
void parse(tinyxml2::XMLDocument& doc, const std::string& text, const std::string& file);

// Attributes. Missing: nullopt (optional*) or FormatError "missing" (required*); present but
// not of the type: FormatError "'abc' is not a number" naming the attribute.
std::optional<std::string> optionalText(const tinyxml2::XMLElement* e, const char* name);
std::string requiredText(const tinyxml2::XMLElement* e, const char* name, const std::string& file);
std::optional<int64_t> optionalInt(const tinyxml2::XMLElement* e, const char* name,
                                   const std::string& file);
int64_t requiredInt(const tinyxml2::XMLElement* e, const char* name, const std::string& file);
double requiredDouble(const tinyxml2::XMLElement* e, const char* name, const std::string& file);
bool flag(const tinyxml2::XMLElement* e, const char* name, bool fallback,
          const std::string& file);

// Child elements' texts (<size>800</size>): the same rules, the child named in messages.
std::optional<std::string> childText(const tinyxml2::XMLElement* parent, const char* name);
std::optional<int64_t> childInt(const tinyxml2::XMLElement* parent, const char* name,
                                const std::string& file);
std::optional<double> childDouble(const tinyxml2::XMLElement* parent, const char* name,
                                  const std::string& file);

// A double as a float, out-of-range values becoming infinities (a plain cast would be undefined)
// for checkObject to refuse.
float toFloat(double v);

}  // namespace sl::annotate::formats::xml
