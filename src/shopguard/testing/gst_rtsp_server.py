"""A loopback RTSP server for tests, built on GStreamer's RTSP server library.

Run with the *system* Python (``/usr/bin/python3``), which has PyGObject and the
``GstRtspServer`` typelib (Debian: ``python3-gi gir1.2-gst-rtsp-server-1.0
gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad``)::

    /usr/bin/python3 gst_rtsp_server.py --port 8554 --mount /cam=/tmp/cam.h264

Each mount plays an H.264 (or, named ``.h265``, H.265) Annex-B file in a loop at its own
frame rate, like a camera.
The process prints ``READY <port>`` once it listens. Tests drive faults from outside:
``SIGKILL`` (server gone), ``SIGSTOP``/``SIGCONT`` (stream stalls without closing).
This file is not imported by ShopGuard; ``shopguard.testing.rtsp`` starts it.
"""

import argparse
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402

PIPELINE = (
    "( multifilesrc location={path} loop=true caps=video/x-{codec},stream-format=byte-stream,"
    "framerate={fps}/1 ! {codec}parse ! rtp{codec}pay name=pay0 pt=96 config-interval=1 )"
)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--fps", type=int, default=15)
    parser.add_argument("--mount", action="append", default=[], help="/path=file.h264")
    args = parser.parse_args()
    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(str(args.port))
    mounts = server.get_mount_points()
    for spec in args.mount:
        path, _, file = spec.partition("=")
        factory = GstRtspServer.RTSPMediaFactory()
        codec = "h265" if file.endswith((".h265", ".hevc")) else "h264"
        factory.set_launch(PIPELINE.format(path=file, fps=args.fps, codec=codec))
        factory.set_shared(True)
        mounts.add_factory(path, factory)
    if server.attach(None) == 0:
        print(f"cannot listen on 127.0.0.1:{args.port}", file=sys.stderr, flush=True)
        return 1
    print(f"READY {args.port}", flush=True)
    GLib.MainLoop().run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
