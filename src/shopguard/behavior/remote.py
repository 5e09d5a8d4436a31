"""Scoring track windows on a remote endpoint, with the local model as the fallback.

The contract is IBM Watson Machine Learning's v4 online scoring:

    POST <url>   Authorization: Bearer <token>
    {"input_data": [{"fields": ["windows"], "values": <windows (n, steps, features)>}]}
    → {"predictions": [{"fields": ["probability"], "values": [[p1], [p2], …]}]}

served by a WML online deployment (``shopguard deploy watsonml``) or by another ShopGuard
service (``/ml/v4/deployments/<version or active>/predictions``), so several edge nodes
can score centrally. The token is an IAM bearer token made from the API key
(``shopguard.deploy.iam``, refreshed before it expires) or, with ``iam_url`` empty, the
key itself (a ShopGuard API token).

The scorer already sends all windows due in a frame as one batch; they go out in
requests of at most ``max_batch``. A request that fails (timeout, connection, HTTP
error, an answer of the wrong shape) is answered by the local model at once, and the
remote is left alone for ``retry_after_s``: detection never stops, it only moves back
to the camera's own CPU. ``stats`` counts both.

Example:
    >>> model = RemoteModel(SequenceModel(path), cfg, api_key="…")  # doctest: +SKIP
    >>> scorer = Scorer(model, zones)  # doctest: +SKIP
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable

import numpy as np
import numpy.typing as npt
import requests

from shopguard.behavior.config import RemoteScorerConfig
from shopguard.behavior.features import NUM_FEATURES
from shopguard.behavior.model import SequenceModel
from shopguard.deploy.iam import IamError, IamToken

log = logging.getLogger(__name__)


class RemoteError(RuntimeError):
    """The remote endpoint did not give a usable answer."""


def scoring_payload(windows: npt.NDArray[np.float32]) -> dict[str, object]:
    """The WML v4 ``input_data`` body for a batch of windows."""
    return {"input_data": [{"fields": ["windows"], "values": windows.tolist()}]}


def parse_predictions(body: object, n: int) -> npt.NDArray[np.float32]:
    """Probabilities (n,) from a WML v4 ``predictions`` answer; ``RemoteError`` otherwise."""
    try:
        values = body["predictions"][0]["values"]  # type: ignore[index]
        out = np.asarray(values, np.float32).reshape(-1)
    except (KeyError, IndexError, TypeError, ValueError) as exc:
        raise RemoteError(f"answer is not a predictions document ({exc})") from None
    if len(out) != n:
        raise RemoteError(f"answer has {len(out)} values for {n} windows")
    if not np.all(np.isfinite(out) & (out >= 0) & (out <= 1)):
        raise RemoteError("answer has values outside [0, 1]")
    return out


class RemoteModel:
    """A behaviour model that scores remotely and falls back to ``local``.

    It has the local model's feature settings, threshold and version: the remote
    endpoint must serve the same model (deploy the registry's active version).
    """

    def __init__(
        self,
        local: SequenceModel,
        config: RemoteScorerConfig,
        api_key: str,
        *,
        session: requests.Session | None = None,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.local, self.config = local, config
        self.feature_config, self.steps = local.feature_config, local.steps
        self.threshold, self.version = local.threshold, local.version
        self._session = session or requests.Session()
        self._verify: bool | str = config.ca_file or True
        self._token = (IamToken(api_key, config.iam_url, session=self._session,
                                verify=self._verify) if config.iam_url else None)
        self._key = api_key
        self._clock = clock
        self._retry_at = float("-inf")
        self.stats: Counter[str] = Counter()

    def predict(self, windows: npt.ArrayLike) -> npt.NDArray[np.float32]:
        """Probabilities (n,) for windows (n, steps, features): remote, else local."""
        x = np.ascontiguousarray(windows, dtype=np.float32)
        if x.ndim != 3 or x.shape[1:] != (self.steps, NUM_FEATURES):
            raise ValueError(f"windows must be (n, {self.steps}, {NUM_FEATURES}), got {x.shape}")
        if len(x) == 0:
            return np.zeros(0, np.float32)
        if self._clock() >= self._retry_at:
            try:
                size = self.config.max_batch
                out = np.concatenate([self._post(x[i:i + size]) for i in range(0, len(x), size)])
            except (RemoteError, IamError, requests.RequestException) as exc:
                self.stats["remote_failures"] += 1
                self._retry_at = self._clock() + self.config.retry_after_s
                log.warning("remote scoring failed, scoring locally for %.0f s: %s",
                            self.config.retry_after_s, exc)
            else:
                self.stats["remote_windows"] += len(x)
                return out
        self.stats["local_windows"] += len(x)
        return self.local.predict(x)

    def _bearer(self) -> str:
        return self._token.bearer() if self._token is not None else self._key

    def _post(self, chunk: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        response = self._session.post(
            self.config.url, json=scoring_payload(chunk),
            headers={"Authorization": f"Bearer {self._bearer()}",
                     "Accept": "application/json"},
            timeout=self.config.timeout_s, verify=self._verify)
        if response.status_code == 401 and self._token is not None:
            self._token.invalidate()  # expired early or revoked: a new one next time
        if response.status_code != 200:
            raise RemoteError(f"HTTP {response.status_code} from {self.config.url}")
        try:
            body = response.json()
        except ValueError:
            raise RemoteError("answer is not JSON") from None
        self.stats["requests"] += 1
        return parse_predictions(body, len(chunk))
