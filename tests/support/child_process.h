#pragma once
// ChildProcess: a helper program a test starts and always ends (the servers of the live-source
// tests: GStreamer's RTSP server, a Python HTTP server, an ffmpeg pushing UDP). Its stdout is a
// pipe the test reads lines from (the servers print their port); stderr is kept in a file for the
// failure message. The destructor kills (SIGKILL) and reaps it, so no server outlives a test,
// including one that fails half-way.

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace sl::testing {

class ChildProcess {
public:
    // Starts argv[0] (a path, or a name looked up in PATH) with argv; started() is false when
    // that failed.
    explicit ChildProcess(std::vector<std::string> argv);
    ~ChildProcess();
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;

    bool started() const { return pid_ > 0; }
    // The next line of its stdout (without the newline), or nothing when it did not come within
    // `timeout` or the child closed its stdout.
    std::optional<std::string> readLine(std::chrono::milliseconds timeout);
    bool running();                 // not exited yet
    void kill();                    // SIGKILL and reap; idempotent
    // SIGTERM, then waits up to `timeout` for it to exit: its exit code, 128 + N when a signal
    // N ended it, or -1 when it did not end in time (then it is killed).
    int terminate(std::chrono::milliseconds timeout);
    // SIGSTOP / SIGCONT: a frozen server keeps its sockets open but sends nothing (a hung
    // camera), which only a watchdog notices.
    void freeze();
    void thaw();
    std::string stderrText() const; // what it wrote to stderr so far

private:
    pid_t pid_ = -1;
    int out_ = -1;
    std::string buffer_;
    std::string errPath_;
};

// A free 127.0.0.1 port for TCP or UDP (bound, read back and released: a race with other
// programs is possible but harmless on a test machine).
int freeLoopbackPort(bool udp);

// /usr/bin/python3 (the system one, which has the Debian python3-gi), else "python3" on PATH.
std::string systemPython();

}  // namespace sl::testing
