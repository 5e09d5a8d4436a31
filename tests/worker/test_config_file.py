"""The YAML configuration: the shipped example parses; bad files get errors naming fields."""

from pathlib import Path

import pytest

from shopguard.config import ConfigError, load_config

ROOT = Path(__file__).resolve().parents[2]


def test_example_config_is_valid() -> None:
    config = load_config(ROOT / "config" / "example.yaml")
    assert [c.id for c in config.cameras] == ["entrance", "aisle-3"]
    assert config.cameras[0].zones[1].kind == "checkout"
    assert [c.name for c in config.alerts.channels] == ["security-desk", "manager-sms",
                                                        "building-bus"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("cameras: [\n  - id: a\n    url: x\n", "malformed YAML"),
        ("- just\n- a list\n", "top level must be a mapping"),
        ("cameras:\n  - id: door\n", "cameras.0.url: Field required"),
        ("cameras:\n  - {id: door, url: x, analysis_fps: fast}\n", "cameras.0.analysis_fps"),
        ("cameras:\n  - {id: door, url: x, analysis_fps: 1e9}\n", "cameras.0.analysis_fps"),
        ("cameras:\n  - {id: 'Door 1', url: x}\n", "cameras.0.id"),
        ("cameras:\n  - {id: a, url: x}\n  - {id: a, url: y}\n", "duplicate camera ids: a"),
        ("server: {port: 70000}\n", "server.port"),
        ("servre: {}\n", "servre: Extra inputs are not permitted"),
        (
            "cameras:\n  - {id: a, url: x, zones: [{name: s, kind: shelf, "
            "polygon: [[0, 0], [1, 1]]}]}\n",
         "cameras.0.zones.0.polygon"),
        ("alerts: {channels: [{type: webhook, name: w}]}\n", "alerts.channels.0.webhook.url"),
    ],
)
def test_bad_config_names_file_and_field(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "shopguard.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(path) in str(info.value)
    assert expected in str(info.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path / "absent.yaml")




def test_threshold_precedence_camera_registry_camera_config_model() -> None:
    from shopguard.config import parse_config
    from shopguard.registry.runtime import operating_events

    camera = {"id": "door", "url": "x"}
    plain = parse_config({"cameras": [camera]})
    door = plain.cameras[0]
    assert operating_events(plain, door, 0.9, False).threshold == 0.9  # version default
    assert operating_events(plain, door, None, False).threshold == 0.6  # no registry
    written = parse_config({"events": {"threshold": 0.3, "quiet_threshold": 0.1},
                            "cameras": [camera]})
    assert operating_events(written, written.cameras[0], 0.9, False).threshold == 0.3
    assert operating_events(written, written.cameras[0], 0.8, True).threshold == 0.8
    own = parse_config({"cameras": [{**camera, "events": {"threshold": 0.45}}]})
    assert operating_events(own, own.cameras[0], 0.8, True).threshold == 0.45
    # Other event settings written without a threshold keep the model's threshold.
    tuned = parse_config({"events": {"open_k": 1, "open_m": 1}, "cameras": [camera]})
    applied = operating_events(tuned, tuned.cameras[0], 0.9, False)
    assert (applied.threshold, applied.open_k, applied.quiet_threshold) == (0.9, 1, 0.6)
