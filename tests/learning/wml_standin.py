"""A local stand-in for IBM Watson Machine Learning's REST API (HTTPS, recording): it answers
the calls the ``ibm-watsonx-ai`` SDK makes to store a model and deploy it online, and the
IAM token exchange. Answers follow the shapes the SDK reads; they are not the live service.
"""

from __future__ import annotations

import json
import re
import uuid

from shopguard.alerts.testing import HttpRecorder, Recorded, Reply

SPACE = "9a6f2a52-0000-4000-8000-00000000a0a0"
MODEL = "3c1d8e0e-0000-4000-8000-00000000b1b1"
DEPLOYMENT = "5e2b7c4a-0000-4000-8000-00000000c2c2"
TOKEN = "iam-token-" + uuid.uuid4().hex


def _json(status: int, body: object) -> Reply:
    return Reply(status, json.dumps(body).encode())


class WmlStandIn(HttpRecorder):
    """Answers by method and path; every request is recorded in ``requests``."""

    def scoring_url(self) -> str:
        return f"{self.url}/ml/v4/deployments/{DEPLOYMENT}/predictions"

    def _next_reply(self, request: Recorded) -> Reply:
        with self._lock:
            self.requests.append(request)
            self._lock.notify_all()
        path, method = request.path.split("?")[0], request.method
        deployment = {"metadata": {"id": DEPLOYMENT, "name": "shopguard", "space_id": SPACE},
                      "entity": {"asset": {"id": MODEL}, "online": {},
                                 "status": {"state": "ready",
                                            "online_url": {"url": self.scoring_url()}}}}
        routes: list[tuple[str, str, Reply]] = [
            ("POST", r"/identity/token", _json(200, {"access_token": TOKEN,
                                                     "expires_in": 3600})),
            ("GET", r"/ml/wml_services/v2/version", _json(200, {"version": "5.2.0"})),
            ("GET", rf"/v2/spaces/{SPACE}", _json(200, {
                "metadata": {"id": SPACE}, "entity": {"name": "shopguard", "compute": []}})),
            ("GET", r"/v2/software_specifications", _json(200, {
                "total_results": 1, "resources": [{"metadata": {
                    "asset_id": "onnx-spec-id", "name": "onnxruntime_opset_19"}}]})),
            ("POST", r"/ml/v4/models", _json(201, {"metadata": {"id": MODEL, "space_id": SPACE},
                                                   "entity": {"type": "onnxruntime_1.16"}})),
            ("PUT", rf"/ml/v4/models/{MODEL}/content", _json(201, {"attachment_id": "a1"})),
            ("GET", rf"/ml/v4/models/{MODEL}", _json(200, {"metadata": {"id": MODEL},
                                                          "entity": {}})),
            ("GET", r"/wx/v1/prompts/.*", _json(404, {"errors": [{"code": "not_found"}]})),
            ("POST", r"/ml/v4/deployments", _json(202, deployment)),
            ("GET", rf"/ml/v4/deployments/{DEPLOYMENT}", _json(200, deployment)),
        ]
        for m, pattern, reply in routes:
            if m == method and re.fullmatch(pattern, path):
                return reply
        return _json(404, {"errors": [{"code": "not_found", "message": path}]})

    def calls(self) -> list[str]:
        return [f"{r.method} {r.path.split('?')[0]}" for r in self.requests]
