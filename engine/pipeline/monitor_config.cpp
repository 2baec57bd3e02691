#include "pipeline/monitor_config.h"

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

namespace sl::pipeline {

namespace {

using json = nlohmann::json;

struct Bad {
    std::string pointer;
    std::string what;
};

std::string at(const std::string& base, const std::string& key) { return base + "/" + key; }

void onlyKeys(const json& obj, const std::string& where, std::initializer_list<const char*> keys) {
    for (auto it = obj.begin(); it != obj.end(); ++it) {
        bool known = false;
        for (const char* k : keys) known = known || it.key() == k;
        if (!known) {
            std::string list;
            for (const char* k : keys) list += (list.empty() ? "" : ", ") + std::string(k);
            throw Bad{at(where, it.key()), "unknown key (expected one of: " + list + ")"};
        }
    }
}

double number(const json& obj, const char* key, const std::string& where, double fallback,
              double lo, double hi, const char* expect) {
    auto it = obj.find(key);
    if (it == obj.end()) return fallback;
    if (!it->is_number() || !std::isfinite(it->get<double>()) || it->get<double>() < lo ||
        it->get<double>() > hi)
        throw Bad{at(where, key), expect};
    return it->get<double>();
}

int integer(const json& obj, const char* key, const std::string& where, int fallback, int lo,
            int hi, const char* expect) {
    auto it = obj.find(key);
    if (it == obj.end()) return fallback;
    if (!it->is_number_integer() || it->get<int64_t>() < lo || it->get<int64_t>() > hi)
        throw Bad{at(where, key), expect};
    return static_cast<int>(it->get<int64_t>());
}

std::string text(const json& obj, const char* key, const std::string& where, bool required) {
    auto it = obj.find(key);
    if (it == obj.end()) {
        if (required) throw Bad{at(where, key), "missing"};
        return {};
    }
    if (!it->is_string() || it->get<std::string>().empty())
        throw Bad{at(where, key), "expected a non-empty string"};
    return it->get<std::string>();
}

bool boolean(const json& obj, const char* key, const std::string& where, bool fallback) {
    auto it = obj.find(key);
    if (it == obj.end()) return fallback;
    if (!it->is_boolean()) throw Bad{at(where, key), "expected true or false"};
    return it->get<bool>();
}

bool isFile(const std::string& url) { return !media::looksLive(url); }

}  // namespace

std::string defaultSourceName(const std::string& url, const std::vector<std::string>& taken) {
    std::string base;
    if (const auto scheme = url.find("://"); scheme != std::string::npos) {
        std::string rest = url.substr(scheme + 3);
        if (const auto q = rest.find_first_of("?#"); q != std::string::npos) rest.resize(q);
        if (const auto atSign = rest.find('@'); atSign != std::string::npos)   // credentials
            rest = rest.substr(atSign + 1);
        const auto slash = rest.find('/');
        std::string host = rest.substr(0, slash);
        if (const auto colon = host.find(':'); colon != std::string::npos) host.resize(colon);
        std::string last;
        if (slash != std::string::npos) {
            std::string path = rest.substr(slash + 1);
            while (!path.empty() && path.back() == '/') path.pop_back();
            last = path.substr(path.find_last_of('/') == std::string::npos
                                   ? 0
                                   : path.find_last_of('/') + 1);
        }
        base = last.empty() ? host : host + "-" + last;
    } else {
        base = std::filesystem::path(url).stem().string();
    }
    if (base.empty()) base = "source";
    std::string name = base;
    for (int n = 2; std::find(taken.begin(), taken.end(), name) != taken.end(); ++n)
        name = base + "-" + std::to_string(n);
    return name;
}

Expected<MonitorConfig> parseMonitorConfig(const std::string& textIn, const std::string& sourceName,
                                           const std::filesystem::path& baseDir) {
    const std::string prefix = "monitor: " + sourceName + ": ";
    json root;
    try {
        root = json::parse(textIn);
    } catch (const json::parse_error& e) {
        size_t line = 1, col = 1;
        for (size_t i = 0; i + 1 < e.byte && i < textIn.size(); ++i) {
            if (textIn[i] == '\n') ++line, col = 1;
            else ++col;
        }
        return Status(StatusCode::InvalidData, prefix + "line " + std::to_string(line) +
                                                   ", column " + std::to_string(col) +
                                                   ": not valid JSON");
    } catch (const json::exception& e) {
        return Status(StatusCode::InvalidData, prefix + "not valid JSON: " + e.what());
    }
    MonitorConfig c;
    try {
        if (!root.is_object()) throw Bad{"/", "expected an object"};
        onlyKeys(root, "",
                 {"version", "model", "threshold", "classes", "streams", "batch", "adaptive",
                  "open_timeout_s", "read_timeout_s", "reconnect", "clips", "sources"});
        auto v = root.find("version");
        if (v == root.end()) throw Bad{"/version", "missing"};
        if (!v->is_number_integer() || v->get<int64_t>() != MonitorConfig::kVersion)
            throw Bad{"/version", "version " + v->dump() + " is not supported (this Sightline "
                                  "reads version " + std::to_string(MonitorConfig::kVersion) + ")"};
        c.model = text(root, "model", "", false);
        c.threshold = number(root, "threshold", "", -1, 0, 1, "expected a number in [0, 1]");
        if (auto it = root.find("classes"); it != root.end()) {
            if (!it->is_array()) throw Bad{"/classes", "expected an array of class names"};
            for (size_t i = 0; i < it->size(); ++i) {
                if (!(*it)[i].is_string() || (*it)[i].get<std::string>().empty())
                    throw Bad{"/classes/" + std::to_string(i), "expected a class name"};
                c.classes.push_back((*it)[i].get<std::string>());
            }
        }
        c.streams = integer(root, "streams", "", 0, 1, 8, "expected an integer in [1, 8]");
        c.batch = integer(root, "batch", "", 1, 1, 16, "expected an integer in [1, 16]");
        c.adaptive = boolean(root, "adaptive", "", true);
        c.openTimeoutSeconds =
            number(root, "open_timeout_s", "", 10, 0.1, 3600, "expected seconds in [0.1, 3600]");
        c.readTimeoutSeconds =
            number(root, "read_timeout_s", "", 5, 0.1, 3600, "expected seconds in [0.1, 3600]");
        if (auto it = root.find("reconnect"); it != root.end()) {
            if (!it->is_object()) throw Bad{"/reconnect", "expected an object"};
            onlyKeys(*it, "/reconnect", {"initial_s", "max_s", "attempts"});
            const double initial = number(*it, "initial_s", "/reconnect", 0.5, 0.01, 3600,
                                          "expected seconds in [0.01, 3600]");
            const double max = number(*it, "max_s", "/reconnect", std::max(30.0, initial),
                                      initial, 86400, "expected seconds >= initial_s");
            c.reconnect.initialDelay = std::chrono::milliseconds(std::llround(initial * 1000));
            c.reconnect.maxDelay = std::chrono::milliseconds(std::llround(max * 1000));
            c.reconnect.maxAttempts = integer(*it, "attempts", "/reconnect", -1, -1, 1000000,
                                              "expected -1 (forever) or a count >= 0");
        }
        if (auto it = root.find("clips"); it != root.end()) {
            if (!it->is_object()) throw Bad{"/clips", "expected an object"};
            onlyKeys(*it, "/clips", {"dir", "pre_s", "post_s", "quota_mb"});
            const std::string dir = text(*it, "dir", "/clips", true);
            c.clips.dir = std::filesystem::path(dir).is_absolute() ? std::filesystem::path(dir)
                                                                   : baseDir / dir;
            c.clips.preSeconds = number(*it, "pre_s", "/clips", 5, 0, 600,
                                        "expected seconds in [0, 600]");
            c.clips.postSeconds = number(*it, "post_s", "/clips", 5, 0, 600,
                                         "expected seconds in [0, 600]");
            c.clips.quotaMb = number(*it, "quota_mb", "/clips", 1024, 0, 1e9,
                                     "expected megabytes >= 0 (0: no quota)");
        }
        auto sources = root.find("sources");
        if (sources == root.end()) throw Bad{"/sources", "missing"};
        if (!sources->is_array() || sources->empty())
            throw Bad{"/sources", "expected a non-empty array of sources"};
        std::vector<std::string> names;
        for (size_t i = 0; i < sources->size(); ++i) {
            const json& s = (*sources)[i];
            const std::string where = "/sources/" + std::to_string(i);
            if (!s.is_object()) throw Bad{where, "expected an object"};
            onlyKeys(s, where,
                     {"name", "url", "transport", "target_fps", "priority", "loop", "scene"});
            MonitorSourceConfig src;
            src.url = text(s, "url", where, true);
            src.name = text(s, "name", where, false);
            if (src.name.empty()) src.name = defaultSourceName(src.url, names);
            if (std::find(names.begin(), names.end(), src.name) != names.end())
                throw Bad{at(where, "name"), "'" + src.name + "' is already the name of another "
                                             "source"};
            names.push_back(src.name);
            src.transport = text(s, "transport", where, false);
            if (!src.transport.empty() && src.transport != "tcp" && src.transport != "udp")
                throw Bad{at(where, "transport"), "expected \"tcp\" or \"udp\""};
            if (!src.transport.empty() && src.url.rfind("rtsp", 0) != 0)
                throw Bad{at(where, "transport"), "only RTSP sources have a transport"};
            src.targetFps =
                number(s, "target_fps", where, 0, 0, 1000, "expected frames per second >= 0");
            src.priority = number(s, "priority", where, 1, 0.01, 100,
                                  "expected a weight in [0.01, 100] (1: an equal share)");
            src.loop = boolean(s, "loop", where, true);
            if (auto sc = s.find("scene"); sc != s.end()) {
                const std::string sp = at(where, "scene");
                if (sc->is_string()) {
                    const std::filesystem::path p = baseDir / sc->get<std::string>();
                    auto scene = analytics::loadScene(p);
                    if (!scene)
                        return Status(StatusCode::InvalidData,
                                      prefix + sp + ": " + scene.status().message());
                    src.scene = std::move(*scene);
                } else if (sc->is_object()) {
                    json copy = *sc;
                    if (!copy.contains("version")) copy["version"] = analytics::Scene::kVersion;
                    auto scene = analytics::parseSceneJson(copy.dump(), sourceName, sp);
                    if (!scene) return scene.status();
                    src.scene = std::move(*scene);
                } else {
                    throw Bad{sp, "expected a scene file name or a scene object"};
                }
            }
            c.sources.push_back(std::move(src));
        }
    } catch (const Bad& b) {
        return Status(StatusCode::InvalidData,
                      prefix + (b.pointer.empty() ? std::string("/") : b.pointer) + ": " + b.what);
    } catch (const json::exception& e) {
        return Status(StatusCode::InvalidData, prefix + e.what());
    }
    return c;
}

Expected<MonitorConfig> loadMonitorConfig(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return Status(StatusCode::NotFound, "monitor: cannot read '" + path.string() + "'");
    std::stringstream ss;
    ss << in.rdbuf();
    return parseMonitorConfig(ss.str(), path.filename().string(), path.parent_path());
}

media::LiveSourceOptions liveOptions(const MonitorConfig& c, const MonitorSourceConfig& s) {
    media::LiveSourceOptions o;
    o.open.url = s.url;
    o.name = s.name;
    if (!s.transport.empty()) o.open.avOptions["rtsp_transport"] = s.transport;
    o.openTimeout = std::chrono::milliseconds(std::llround(c.openTimeoutSeconds * 1000));
    o.readTimeout = std::chrono::milliseconds(std::llround(c.readTimeoutSeconds * 1000));
    o.reconnect = c.reconnect;
    if (isFile(s.url)) {
        o.paceToRealTime = true;
        o.loop = s.loop;
        if (!s.loop) o.reconnect.maxAttempts = 0;   // a file that ends has ended
    }
    return o;
}

}  // namespace sl::pipeline
