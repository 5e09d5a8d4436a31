"""IBM Watson Machine Learning: the IAM token exchange and ``shopguard deploy watsonml``
through the real ``ibm-watsonx-ai`` SDK, against a local recording HTTPS server.
Not tested against the live IBM service."""

from __future__ import annotations

import gzip
import io
import tarfile
from urllib.parse import parse_qs

import pytest
from registry_helpers import UP
from wml_standin import DEPLOYMENT, MODEL, SPACE, TOKEN, WmlStandIn

from shopguard.alerts.testing import HttpRecorder, Reply
from shopguard.deploy.iam import IamError, IamToken
from shopguard.testing.tls import self_signed_context


class Clock:
    def __init__(self, t: float = 1_800_000_000.0):
        self.t = t

    def __call__(self) -> float:
        return self.t


def test_iam_token_is_fetched_once_and_refreshed_before_it_expires(
    http_recorder: HttpRecorder,
):
    clock = Clock()
    http_recorder.default = Reply(200, b'{"access_token": "t1", "expires_in": 3600}')
    token = IamToken("secret-key", f"{http_recorder.url}/identity/token", clock=clock,
                     refresh_margin_s=300)
    assert token.bearer() == "t1" and token.bearer() == "t1"
    assert token.fetches == 1
    form = parse_qs(http_recorder.requests[0].body.decode())
    assert form == {"grant_type": ["urn:ibm:params:oauth:grant-type:apikey"],
                    "apikey": ["secret-key"]}
    clock.t += 3299  # 301 s left: still good
    token.bearer()
    assert token.fetches == 1
    http_recorder.default = Reply(200, b'{"access_token": "t2", "expiration": 1800009000}')
    clock.t += 2  # 299 s left: refreshed before it expires
    assert token.bearer() == "t2" and token.fetches == 2
    token.invalidate()
    assert token.bearer() == "t2" and token.fetches == 3
    assert "secret-key" not in repr(token)


def test_iam_errors_never_show_the_key(http_recorder: HttpRecorder):
    http_recorder.default = Reply(400, b'{"errorMessage": "bad key secret-key"}')
    with pytest.raises(IamError) as err:
        IamToken("secret-key", f"{http_recorder.url}/identity/token").bearer()
    assert "HTTP 400" in str(err.value) and "secret-key" not in str(err.value)


@pytest.fixture
def wml(tmp_path):
    pytest.importorskip("ibm_watsonx_ai", reason="the 'watsonml' extra (ibm-watsonx-ai)")
    context, ca_file = self_signed_context(tmp_path / "tls")
    server = WmlStandIn(context)
    server.start()
    yield server, ca_file
    server.stop()


def test_deploy_stores_the_onnx_model_and_creates_an_online_deployment(
    wml, tmp_path, monkeypatch, capsys
):
    from shopguard.cli import main

    server, ca_file = wml
    monkeypatch.setenv("TEST_WML_KEY", "wml-secret-key")
    code = main(["deploy", "watsonml", "--space-id", SPACE, "--url", server.url,
                 "--iam-url", f"{server.url}/identity/token", "--cpd-version", "5.2",
                 "--ca-file", str(ca_file), "--api-key-env", "TEST_WML_KEY",
                 "--model", str(UP), "--name", "shopguard-test"])
    out = capsys.readouterr()
    assert code == 0, out.err
    assert f"scoring URL: {server.scoring_url()}" in out.out
    assert "wml-secret-key" not in out.out + out.err
    calls = server.calls()
    assert calls[0] == "POST /identity/token"
    for call in ("GET /v2/software_specifications", "POST /ml/v4/models",
                 f"PUT /ml/v4/models/{MODEL}/content", "POST /ml/v4/deployments"):
        assert call in calls
    iam = parse_qs(server.requests[0].body.decode())
    assert iam["apikey"] == ["wml-secret-key"]
    by_call = {c: r for c, r in zip(calls, server.requests, strict=True)}
    # Every API call carries the token from our IAM exchange (the SDK's Cloud Pak for Data
    # mode, used here for a local URL, sends it as "Basic <token>"; IBM Cloud as Bearer).
    assert all(r.headers.get("Authorization", "").split(" ")[-1] == TOKEN
               for c, r in by_call.items() if not c.startswith(("POST /identity", "GET /ml/wml"))
               )
    stored = by_call["POST /ml/v4/models"].json()
    assert stored["type"] == "onnxruntime_1.16" and stored["name"] == "shopguard-test"
    assert stored["software_spec"] == {"id": "onnx-spec-id"} and stored["space_id"] == SPACE
    content = by_call[f"PUT /ml/v4/models/{MODEL}/content"].body
    with tarfile.open(fileobj=io.BytesIO(gzip.decompress(content))) as tar:
        member = tar.extractfile("model.onnx")
        assert member is not None and member.read() == UP.read_bytes()
    deployment = by_call["POST /ml/v4/deployments"].json()
    assert deployment["asset"] == {"id": MODEL} and deployment["online"] == {}
    assert DEPLOYMENT in out.out


def test_deploy_without_a_key_or_with_a_refused_key(wml, tmp_path, monkeypatch, capsys):
    from shopguard.cli import main

    server, ca_file = wml
    monkeypatch.delenv("NO_SUCH_KEY", raising=False)
    base = ["deploy", "watsonml", "--space-id", SPACE, "--url", server.url, "--cpd-version",
            "5.2", "--ca-file", str(ca_file), "--model", str(UP)]
    assert main([*base, "--api-key-env", "NO_SUCH_KEY"]) == 2
    assert "$NO_SUCH_KEY" in capsys.readouterr().err
    key_file = tmp_path / "apikey.json"
    key_file.write_text('{"name": "x", "apikey": "file-key"}')
    assert main([*base, "--credentials-file", str(key_file),
                 "--iam-url", f"{server.url}/nope"]) == 1  # IAM refuses: 404
    err = capsys.readouterr().err
    assert "IAM token request" in err and "file-key" not in err
