#!/usr/bin/python3
"""Test RTSP server: GStreamer's gst-rtsp-server through GI serving an MP4 (H.264) at
rtsp://127.0.0.1:PORT/cam, in real time (the server's sinks sync to the clock).
usage: rtsp_server.py FILE.mp4 [PORT]   (PORT 0 or absent: any free port)
Prints the bound port on the first line of stdout, then serves until killed."""
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402


def main():
    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(sys.argv[2] if len(sys.argv) > 2 else "0")
    factory = GstRtspServer.RTSPMediaFactory()
    factory.set_launch("( filesrc location=%s ! qtdemux ! h264parse ! rtph264pay name=pay0 pt=96 )"
                       % sys.argv[1])
    factory.set_shared(True)
    server.get_mount_points().add_factory("/cam", factory)
    if server.attach(None) == 0:
        print("error: cannot listen on 127.0.0.1:%s" % server.get_service(), flush=True)
        return 1
    print(server.get_bound_port(), flush=True)
    GLib.MainLoop().run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
