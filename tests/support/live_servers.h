#pragma once
// The servers the live-source tests start on 127.0.0.1 and kill: GStreamer's RTSP server
// (rtsp_server.py, through Python GI) and a Python HTTP server (http_live_server.py: whole files
// and an endless MJPEG stream). Each runs as a ChildProcess, killed at the latest by the
// destructor. ok() is false (error() says why, naming the Debian packages) when one did not start.

#include <chrono>
#include <cstdlib>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "support/child_process.h"

namespace sl::testing {

class RtspServer {
public:
    // Serves `mp4` (H.264) at rtsp://127.0.0.1:PORT/cam; port 0: any free port.
    explicit RtspServer(std::string mp4, int port = 0) : mp4_(std::move(mp4)) { start(port); }
    void start(int port) {
        proc_ = std::make_unique<ChildProcess>(std::vector<std::string>{
            systemPython(), std::string(SL_SOURCE_DIR) + "/tests/support/rtsp_server.py", mp4_,
            std::to_string(port)});
        const auto line = proc_->readLine(std::chrono::seconds(10));
        port_ = line ? std::atoi(line->c_str()) : 0;
        if (port_ <= 0)
            error_ = "RTSP server did not start (python3-gi, gir1.2-gst-rtsp-server-1.0, "
                     "gstreamer1.0-plugins-good/-bad installed?): " +
                     (line ? *line : std::string()) + proc_->stderrText();
    }
    void kill() { proc_->kill(); }
    void freeze() { proc_->freeze(); }   // hangs: connections stay open, nothing is sent
    void thaw() { proc_->thaw(); }
    void restart() { start(port_); }   // the same port again, after kill()
    bool ok() const { return port_ > 0; }
    const std::string& error() const { return error_; }
    std::string url() const { return "rtsp://127.0.0.1:" + std::to_string(port_) + "/cam"; }
    int port() const { return port_; }

private:
    std::string mp4_;
    std::unique_ptr<ChildProcess> proc_;
    int port_ = 0;
    std::string error_;
};

// Serves DIR: GET /NAME a file of it, GET /mjpeg DIR/stream.mjpg as a paced endless MJPEG stream.
class HttpServer {
public:
    // cert, key: PEM files for HTTPS (empty: plain HTTP).
    explicit HttpServer(const std::string& dir, int port = 0, const std::string& cert = {},
                        const std::string& key = {})
        : https_(!cert.empty()) {
        std::vector<std::string> argv = {
            systemPython(), std::string(SL_SOURCE_DIR) + "/tests/support/http_live_server.py",
            dir, std::to_string(port)};
        if (https_) {
            argv.push_back(cert);
            argv.push_back(key);
        }
        proc_ = std::make_unique<ChildProcess>(std::move(argv));
        const auto line = proc_->readLine(std::chrono::seconds(10));
        port_ = line ? std::atoi(line->c_str()) : 0;
        if (port_ <= 0) error_ = "HTTP server did not start: " + proc_->stderrText();
    }
    bool ok() const { return port_ > 0; }
    const std::string& error() const { return error_; }
    std::string url(const std::string& path) const {
        return (https_ ? "https://127.0.0.1:" : "http://127.0.0.1:") + std::to_string(port_) +
               path;
    }
    int port() const { return port_; }
    void kill() { proc_->kill(); }

private:
    bool https_ = false;
    std::unique_ptr<ChildProcess> proc_;
    int port_ = 0;
    std::string error_;
};

}  // namespace sl::testing
