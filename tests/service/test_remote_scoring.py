"""Remote scoring against the real ShopGuard endpoint on loopback (WML v4 contract):
batching, the local fallback on failure and timeouts, and the retry after a pause."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest
import requests
from api_helpers import add_user
from test_api_streams import Server

from shopguard.alerts import testing as alert_testing
from shopguard.alerts.testing import HttpRecorder, Reply
from shopguard.behavior.config import RemoteScorerConfig, ScorerConfig
from shopguard.behavior.features import NUM_FEATURES
from shopguard.behavior.model import SequenceModel
from shopguard.behavior.remote import RemoteModel
from shopguard.behavior.scorer import Scorer
from shopguard.config import ServiceConfig
from shopguard.core import Poses, Tracks
from shopguard.registry.files import ModelFiles
from shopguard.registry.store import promote, register
from shopguard.service.auth import new_token
from shopguard.service.context import ServiceContext
from shopguard.storage.models import ApiToken

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "learning"))
from registry_helpers import DOWN, UP

http_recorder = alert_testing.http_recorder  # the fixture: a recording HTTP server

pytestmark = pytest.mark.integration


class Clock:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def central(ctx: ServiceContext, tmp_path: Path):
    """A ShopGuard service scoring with registry version v1 (the UP model), and a token."""
    ctx.config = ServiceConfig(data_dir=tmp_path / "var")
    with ctx.sessions.begin() as s:
        register(s, ModelFiles(tmp_path / "var"), UP)
        promote(s, "v1", by="alice")
    user_id = add_user(ctx, "edge-node-1", "viewer")
    token, token_hash = new_token()
    with ctx.sessions.begin() as s:
        s.add(ApiToken(user_id=user_id, token_hash=token_hash, name="edge"))
    server = Server(ctx)
    yield server, token
    server.stop()


def windows(n: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).normal(0.2, 1, (n, 20, NUM_FEATURES)).astype(np.float32)


def remote(url: str, token: str, clock: Clock | None = None, **cfg) -> RemoteModel:
    config = RemoteScorerConfig(url=url, iam_url="", **cfg)
    return RemoteModel(SequenceModel(DOWN), config, token, clock=clock or Clock())


def test_windows_are_scored_by_the_central_active_model_in_batches(central):
    server, token = central
    url = f"{server.url}/ml/v4/deployments/active/predictions"
    model = remote(url, token, max_batch=2)
    x = windows(5)
    np.testing.assert_allclose(model.predict(x), SequenceModel(UP).predict(x), rtol=1e-5)
    assert model.stats == {"requests": 3, "remote_windows": 5}  # 2 + 2 + 1
    by_version = remote(f"{server.url}/ml/v4/deployments/v1/predictions", token)
    np.testing.assert_allclose(by_version.predict(x), SequenceModel(UP).predict(x), rtol=1e-5)
    answer = requests.post(url, json={"input_data": [{"values": x[:1].tolist()}]},
                           headers={"Authorization": f"Bearer {token}"}, timeout=5).json()
    assert answer["model_version"] == "v1" and answer["predictions"][0]["fields"] == [
        "probability"]


def test_the_endpoint_checks_token_shape_and_version(central):
    server, token = central
    url = f"{server.url}/ml/v4/deployments/active/predictions"
    auth = {"Authorization": f"Bearer {token}"}
    assert requests.post(url, json={"input_data": [{"values": []}]}, timeout=5
                         ).status_code == 401
    bad = requests.post(url, json={"input_data": [{"values": [[[1.0, 2.0]]]}]}, headers=auth,
                        timeout=5)
    assert bad.status_code == 422 and "(n, 20, 104)" in bad.json()["error"]["message"]
    missing = requests.post(f"{server.url}/ml/v4/deployments/v9/predictions",
                            json={"input_data": [{"values": []}]}, headers=auth, timeout=5)
    assert missing.status_code == 404


def test_a_dead_endpoint_falls_back_to_the_local_model_and_retries_later(
    http_recorder: HttpRecorder,
):
    clock = Clock()
    answer = {"predictions": [{"fields": ["probability"], "values": [[0.9], [0.8], [0.7]]}]}
    http_recorder.default = Reply(200, json.dumps(answer).encode())
    model = remote(f"{http_recorder.url}/predictions", "sg_x", clock, retry_after_s=30)
    x = windows(3, seed=1)
    local = SequenceModel(DOWN).predict(x)
    np.testing.assert_allclose(model.predict(x), [0.9, 0.8, 0.7], rtol=1e-6)
    http_recorder.stop()  # the central node goes down
    np.testing.assert_allclose(model.predict(x), local, rtol=1e-6)
    assert model.stats["remote_failures"] == 1
    clock.t = 29.0  # within retry_after_s: no new attempt
    model.predict(x)
    assert model.stats["remote_failures"] == 1 and model.stats["local_windows"] == 6
    clock.t = 31.0
    model.predict(x)
    assert model.stats["remote_failures"] == 2  # tried again, still down
    http_recorder.start()  # back on the same port
    clock.t = 62.0
    np.testing.assert_allclose(model.predict(x), [0.9, 0.8, 0.7], rtol=1e-6)
    assert model.stats["remote_windows"] == 6


@pytest.mark.parametrize(
    "reply",
    [Reply(200, b"{}", delay_s=1.0),  # slower than the timeout
     Reply(500, b"{}"),
     Reply(200, json.dumps({"predictions": [{"values": [[0.5]]}]}).encode()),  # 1 for 2
     Reply(200, json.dumps({"predictions": [{"values": [[7.0], [0.1]]}]}).encode()),
     Reply(200, b"not json", content_type="text/plain")],
)
def test_bad_answers_and_timeouts_fall_back(http_recorder: HttpRecorder, reply: Reply):
    http_recorder.script(reply)
    model = remote(f"{http_recorder.url}/predictions", "sg_x", timeout_s=0.2)
    x = windows(2)
    np.testing.assert_allclose(model.predict(x), SequenceModel(DOWN).predict(x), rtol=1e-6)
    assert model.stats["remote_failures"] == 1
    sent = http_recorder.requests[0]
    assert sent.headers["Authorization"] == "Bearer sg_x"
    assert np.asarray(sent.json()["input_data"][0]["values"]).shape == (2, 20, NUM_FEATURES)


def test_a_scorer_runs_on_the_remote_model(central):
    server, token = central
    model = remote(f"{server.url}/ml/v4/deployments/active/predictions", token)
    scorer = Scorer(model, [], ScorerConfig(stride_s=0.5, min_history_s=1.0))
    kps = np.zeros((1, 17, 3), np.float32)
    kps[0, :, 0], kps[0, :, 1], kps[0, :, 2] = np.linspace(100, 140, 17), \
        np.linspace(100, 400, 17), 0.9
    tracks = Tracks(Poses(np.array([[90, 90, 150, 410]], np.float32),
                          np.ones(1, np.float32), kps), np.array([3]))
    out = [a for i in range(25) for a in scorer.update(tracks, i / 10)]
    assert out and model.stats["remote_windows"] == len(out)
    assert all(a.model_version == model.version for a in out)
