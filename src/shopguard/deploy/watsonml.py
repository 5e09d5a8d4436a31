"""Deploy the behaviour model to IBM Watson Machine Learning (watsonx.ai Runtime).

With the official ``ibm-watsonx-ai`` SDK (the optional ``watsonml`` extra): the ONNX file
is packed as ``model.tar.gz`` (WML takes ONNX models as an archive), stored in a
deployment space as an ``onnxruntime_1.16`` model on the ``onnxruntime_opset_19``
software specification, and deployed online; the deployment's scoring URL is returned.
Cameras then score through it with ``scorer.remote`` (``shopguard.behavior.remote``).

The API key comes from an environment variable or a credentials file (IBM Cloud's
``apikey.json``), never from the command line, and is exchanged for an IAM bearer token
here (``shopguard.deploy.iam``), so the SDK only ever sees the short-lived token.
``cpd_version`` targets Cloud Pak for Data instead of IBM Cloud.

Tested against a local HTTPS server that records what the SDK sends; not tested against
the live IBM service.

Example:
    >>> target = WmlTarget(url="https://eu-de.ml.cloud.ibm.com", space_id="…",
    ...                    api_key=read_api_key("WML_API_KEY", None))  # doctest: +SKIP
    >>> deploy(target, Path("var/models/v3.onnx"), "shopguard-v3").scoring_url  # doctest: +SKIP
"""

from __future__ import annotations

import json
import os
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shopguard.deploy.iam import DEFAULT_IAM_URL, IamToken

MODEL_TYPE = "onnxruntime_1.16"
SOFTWARE_SPEC = "onnxruntime_opset_19"
DEFAULT_URL = "https://us-south.ml.cloud.ibm.com"


class DeployError(RuntimeError):
    """Deployment failed (missing SDK, key, or an error from the service)."""


@dataclass(frozen=True)
class WmlTarget:
    """Where to deploy. ``verify``: TLS verification (a CA file for private clouds)."""

    url: str
    space_id: str
    api_key: str = field(repr=False)
    iam_url: str = DEFAULT_IAM_URL
    cpd_version: str | None = None
    verify: bool | str = True


@dataclass(frozen=True, slots=True)
class Deployment:
    model_id: str
    deployment_id: str
    scoring_url: str


def read_api_key(env: str | None, file: Path | None) -> str:
    """The API key from ``$env`` or from ``file`` (JSON with ``apikey``, or the key alone)."""
    if file is not None:
        text = file.read_text(encoding="utf-8").strip()
        try:
            data = json.loads(text)
        except ValueError:
            data = text
        key = data.get("apikey") or data.get("api_key") if isinstance(data, dict) else data
        if not key:
            raise DeployError(f"{file}: no 'apikey' in the credentials file")
        return str(key)
    if env and os.environ.get(env):
        return os.environ[env]
    raise DeployError(f"no API key: set ${env}" if env else "no API key given")


def package(onnx: Path, folder: Path) -> Path:
    """``model.tar.gz`` holding the ONNX file as ``model.onnx``."""
    archive = folder / "model.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(onnx, arcname="model.onnx")
    return archive


def client(target: WmlTarget) -> Any:
    """An SDK ``APIClient`` for the target's deployment space, signed in with an IAM token."""
    try:
        from ibm_watsonx_ai import APIClient, Credentials
    except ImportError as exc:
        raise DeployError("the ibm-watsonx-ai SDK is not installed "
                          "(pip install 'shopguard[watsonml]')") from exc
    token = IamToken(target.api_key, target.iam_url, verify=target.verify).bearer()
    if target.cpd_version:
        credentials = Credentials(url=target.url, token=token, verify=target.verify,
                                  instance_id="openshift", version=target.cpd_version)
    else:
        credentials = Credentials(url=target.url, token=token, verify=target.verify)
    return APIClient(credentials, space_id=target.space_id)


def deploy(target: WmlTarget, onnx: Path, name: str) -> Deployment:
    """Store ``onnx`` in the space and create an online deployment of it."""
    try:
        from ibm_watsonx_ai.wml_client_error import WMLClientError
    except ImportError as exc:
        raise DeployError("the ibm-watsonx-ai SDK is not installed "
                          "(pip install 'shopguard[watsonml]')") from exc
    try:
        api = client(target)
        spec = api.software_specifications.get_id_by_name(SOFTWARE_SPEC)
        names = api.repository.ModelMetaNames
        with tempfile.TemporaryDirectory(prefix="shopguard-wml-") as tmp:
            stored = api.repository.store_model(
                model=str(package(onnx, Path(tmp))),
                meta_props={names.NAME: name, names.TYPE: MODEL_TYPE,
                            names.SOFTWARE_SPEC_ID: spec})
        model_id = api.repository.get_model_id(stored)
        meta = api.deployments.ConfigurationMetaNames
        details = api.deployments.create(model_id, meta_props={meta.NAME: name,
                                                               meta.ONLINE: {}})
        return Deployment(model_id, api.deployments.get_id(details),
                          api.deployments.get_scoring_href(details))
    except WMLClientError as exc:
        raise DeployError(f"Watson Machine Learning: {exc}") from None
