"""``shopguard deploy watsonml``: the behaviour model as an online deployment on IBM Watson
Machine Learning; prints the scoring URL to put in ``scorer.remote.url``.

Example:
    $ export WML_API_KEY=…   # or --credentials-file apikey.json; never on the command line
    $ shopguard deploy watsonml --config shopguard.yaml --model active \\
          --url https://eu-de.ml.cloud.ibm.com --space-id 6f1c… --api-key-env WML_API_KEY
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

EXIT_ERROR = 1
EXIT_USAGE = 2


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``deploy`` sub-command."""
    parser = subparsers.add_parser(
        "deploy", help="deploy the behaviour model to IBM Watson Machine Learning",
        description="Upload the behaviour model (ONNX) to a deployment space and create an "
        "online deployment (needs the 'watsonml' extra: ibm-watsonx-ai).")
    targets = parser.add_subparsers(dest="target", metavar="TARGET", required=True)
    wml = targets.add_parser("watsonml", help="IBM Watson Machine Learning / watsonx.ai Runtime")
    wml.add_argument("--space-id", required=True, help="deployment space id")
    wml.add_argument("--url", default="https://us-south.ml.cloud.ibm.com",
                     help="service URL of the region (or the Cloud Pak for Data URL)")
    wml.add_argument("--api-key-env", default="WML_API_KEY",
                     help="environment variable holding the IBM Cloud API key")
    wml.add_argument("--credentials-file", type=Path,
                     help="file with the API key (IBM Cloud apikey.json) instead")
    wml.add_argument("--iam-url", default=None, help="IAM token endpoint "
                     "(default: https://iam.cloud.ibm.com/identity/token)")
    wml.add_argument("--cpd-version", help="Cloud Pak for Data version (5.0 … 6.0), not IBM Cloud")
    wml.add_argument("--ca-file", type=Path, help="CA certificate to trust (private clouds)")
    wml.add_argument("--model", default="active",
                     help="ONNX file, or with --config a registry version or 'active'")
    wml.add_argument("--config", type=Path, help="service configuration (registry)")
    wml.add_argument("--name", default=None, help="model and deployment name "
                     "(default: shopguard-behavior-<version>)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from shopguard.commands.models import open_registry, resolve
    from shopguard.deploy.iam import DEFAULT_IAM_URL, IamError
    from shopguard.deploy.watsonml import DeployError, WmlTarget, deploy, read_api_key

    try:
        model = resolve(args.model, open_registry(args.config) if args.config else None)
        if not model.path.is_file():
            raise FileNotFoundError(f"{model.path}: no such model file")
        target = WmlTarget(url=args.url.rstrip("/"), space_id=args.space_id,
                           api_key=read_api_key(args.api_key_env, args.credentials_file),
                           iam_url=args.iam_url or DEFAULT_IAM_URL,
                           cpd_version=args.cpd_version,
                           verify=str(args.ca_file) if args.ca_file else True)
    except (DeployError, ValueError, OSError) as exc:
        print(f"shopguard deploy: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    name = args.name or f"shopguard-behavior-{model.label.removesuffix('.onnx')}"
    try:
        result = deploy(target, model.path, name)
    except (DeployError, IamError) as exc:
        print(f"shopguard deploy: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    print(f"deployed {model.label} as {name}: model {result.model_id}, "
          f"deployment {result.deployment_id}")
    print(f"scoring URL: {result.scoring_url}")
    print("point the cameras at it (scorer.remote.url, scorer.remote.iam_url, "
          f"scorer.remote.api_key_env: {args.api_key_env})")
    return 0
