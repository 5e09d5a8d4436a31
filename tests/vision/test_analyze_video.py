"""`shopguard analyze` end to end on a video of real people."""

import json
from collections import Counter
from pathlib import Path

import av
import numpy as np
import pytest

from shopguard.cli import main
from shopguard.testing.people_video import PeopleVideo, compose_people_video
from shopguard.vision.nms import box_iou

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(scope="module")
def people_video(tmp_path_factory: pytest.TempPathFactory) -> PeopleVideo:
    out = tmp_path_factory.mktemp("video") / "two_people.mp4"
    return compose_people_video(DATA / "bus.jpg", out, seconds=6.0, fps=15.0)


@pytest.fixture(scope="module")
def analysed(people_video: PeopleVideo, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("analysis")
    assert main(["analyze", str(people_video.path), "--out", str(out), "--fps", "5"]) == 0
    return out


def _records(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "tracks.jsonl").read_text().splitlines()]


def test_each_person_keeps_one_id_and_ids_differ(
    people_video: PeopleVideo, analysed: Path
) -> None:
    records = _records(analysed)
    assert len(records) == 30  # 6 s at 5 analysed fps
    ids_per_person: list[Counter[int]] = [Counter(), Counter()]
    matched = 0
    for record in records:
        source_index = round(record["t"] * people_video.fps)
        truth = people_video.boxes[source_index]
        if not record["tracks"]:
            continue
        boxes = np.array([tr["box"] for tr in record["tracks"]], np.float32)
        iou = box_iou(truth, boxes)
        for person in range(2):
            best = int(iou[person].argmax())
            if iou[person, best] >= 0.5:
                ids_per_person[person][record["tracks"][best]["id"]] += 1
                matched += 1
    assert matched >= 2 * 30 - 6  # tracks are confirmed after their second frame
    for counts in ids_per_person:
        assert len(counts) == 1, f"id switched: {counts}"
    assert set(ids_per_person[0]) != set(ids_per_person[1])


def test_record_contract(analysed: Path) -> None:
    record = next(r for r in _records(analysed) if r["tracks"])
    track = record["tracks"][0]
    assert isinstance(record["frame"], int) and isinstance(record["t"], float)
    assert len(track["box"]) == 4 and len(track["keypoints"]) == 17
    assert all(len(kp) == 3 and 0 <= kp[2] <= 1 for kp in track["keypoints"])


def test_annotated_video_and_summary(analysed: Path) -> None:
    with av.open(str(analysed / "annotated.mp4")) as container:
        stream = container.streams.video[0]
        assert stream.codec_context.name == "h264"
        assert (stream.width, stream.height) == (1280, 720)
        assert sum(1 for _ in container.decode(stream)) == 30
    summary = json.loads((analysed / "summary.json").read_text())
    assert summary["frames_analysed"] + summary["frames_skipped_by_motion_gate"] == 30
    assert summary["unique_tracks"] == 2
    for stage in ("decode", "preprocess", "inference", "decode_output", "tracking"):
        assert summary["stages_ms"][stage]["median_ms"] > 0


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "not found"), (b"garbage" * 1000, "Invalid data"), (b"", "")],
)
def test_bad_input_is_one_line_and_exit_code_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes | None, message: str
) -> None:
    video = tmp_path / "input.mp4"
    if content is not None:
        video.write_bytes(content)
    code = main(["analyze", str(video), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert err.startswith("shopguard analyze: error:") and "\n" not in err
    assert message in err and "input.mp4" in err
