#include "annotate/formats/text_fields.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <system_error>

namespace sl::annotate::formats {

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = char(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

}  // namespace

std::optional<int64_t> parseInt(std::string_view text) {
    text = trim(text);
    if (!text.empty() && text.front() == '+') text.remove_prefix(1);
    int64_t v = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return v;
}

std::optional<double> parseDouble(std::string_view text) {
    text = trim(text);
    if (!text.empty() && text.front() == '+') text.remove_prefix(1);
    double v = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    // Out of range ("1e999") is an error too: ec is result_out_of_range.
    if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return v;
}

std::optional<bool> parseFlag(std::string_view text) {
    const std::string s = lower(trim(text));
    if (s == "1" || s == "true") return true;
    if (s == "0" || s == "false") return false;
    return std::nullopt;
}

std::string formatNumber(float v) {
    char buf[64];
    const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    return ec == std::errc() ? std::string(buf, end) : std::string("nan");
}

std::string formatNumber(double v) {
    char buf[64];
    const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    return ec == std::errc() ? std::string(buf, end) : std::string("nan");
}

std::optional<int64_t> frameNumberFromName(std::string_view stem) {
    size_t end = stem.size();
    while (end > 0 && !std::isdigit(static_cast<unsigned char>(stem[end - 1]))) --end;
    if (end == 0) return std::nullopt;
    size_t begin = end;
    while (begin > 0 && std::isdigit(static_cast<unsigned char>(stem[begin - 1]))) --begin;
    return parseInt(stem.substr(begin, end - begin));
}

std::string formatFrameName(const std::string& pattern, int64_t number) {
    std::string out;
    bool converted = false;
    for (size_t i = 0; i < pattern.size(); ++i) {
        if (pattern[i] != '%') {
            out += pattern[i];
            continue;
        }
        if (i + 1 < pattern.size() && pattern[i + 1] == '%') {
            out += '%';
            ++i;
            continue;
        }
        size_t j = i + 1;
        const bool zero = j < pattern.size() && pattern[j] == '0';
        if (zero) ++j;
        int width = 0;
        while (j < pattern.size() && std::isdigit(static_cast<unsigned char>(pattern[j])) &&
               width < 100)
            width = width * 10 + (pattern[j++] - '0');
        while (j < pattern.size() && pattern[j] == 'l') ++j;
        if (converted || j >= pattern.size() || (pattern[j] != 'd' && pattern[j] != 'i') ||
            j - i > 8)
            throw std::invalid_argument("image name pattern '" + pattern +
                                        "' needs exactly one integer conversion such as %06lld");
        converted = true;
        std::string digits = std::to_string(number < 0 ? -number : number);
        if (number == std::numeric_limits<int64_t>::min()) digits = "9223372036854775808";
        const std::string sign = number < 0 ? "-" : "";
        const size_t len = sign.size() + digits.size();
        if (size_t(width) > len) {
            const std::string pad(size_t(width) - len, zero ? '0' : ' ');
            out += zero ? sign + pad + digits : pad + sign + digits;
        } else {
            out += sign + digits;
        }
        i = j;
    }
    if (!converted)
        throw std::invalid_argument("image name pattern '" + pattern +
                                    "' has no frame number conversion (%06lld)");
    return out;
}

std::string fileStem(const std::string& name) {
    const size_t slash = name.find_last_of('/');
    std::string base = slash == std::string::npos ? name : name.substr(slash + 1);
    const size_t dot = base.find_last_of('.');
    if (dot != std::string::npos && dot > 0) base.resize(dot);
    return base;
}

}  // namespace sl::annotate::formats
