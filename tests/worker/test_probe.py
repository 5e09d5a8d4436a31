from pathlib import Path

from shopguard.service.probe import probe_camera
from shopguard.testing.people_video import compose_people_video

DATA = Path(__file__).resolve().parents[1] / "data"


def test_probe_reports_size_and_rate(tmp_path: Path) -> None:
    video = compose_people_video(DATA / "bus.jpg", tmp_path / "v.mp4", seconds=1.0).path
    result = probe_camera(str(video))
    assert result == {
        "ok": True, "width": 1280, "height": 720, "fps": 15.0,
        "seconds_to_first_frame": result["seconds_to_first_frame"],
    }


def test_probe_of_a_dead_stream_is_a_clear_failure() -> None:
    result = probe_camera("rtsp://127.0.0.1:9/cam", timeout_s=2)
    assert result["ok"] is False and "127.0.0.1:9" in result["error"]
    assert "refused" in result["error"].lower()


def test_probe_of_garbage(tmp_path: Path) -> None:
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(b"\x00garbage" * 50)
    result = probe_camera(str(bad), timeout_s=2)
    assert result["ok"] is False and "bad.mp4" in result["error"]
