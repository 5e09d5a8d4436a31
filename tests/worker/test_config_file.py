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
