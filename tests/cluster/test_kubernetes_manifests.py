"""deploy/kubernetes/: the example overlay renders and is valid against the Kubernetes 1.28 schemas.

Rendered with ``kubectl kustomize`` (offline); without kubectl every complete object of the base is
validated file by file. ``kubernetes-validate`` ships the schemas in its wheel: no network is used.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from typing import Any

import kubernetes_validate
import pytest
import yaml

from launcher.stack import REPO_ROOT

KUBERNETES = REPO_ROOT / "deploy" / "kubernetes"
VERSION = "1.28.0"
SECRET_NAMES = re.compile(r"TOKEN|PASSWORD|PAYLOAD_KEY|PII_KEY|DATABASE_URL|TRACKER_DB_URL")


def _documents(text: str) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(text) if doc]


def rendered() -> list[dict[str, Any]]:
    kubectl = shutil.which("kubectl")
    if kubectl:
        done = subprocess.run(
            [kubectl, "kustomize", str(KUBERNETES / "overlays" / "example")], capture_output=True, text=True, check=True
        )
        return _documents(done.stdout)
    docs: list[dict[str, Any]] = []
    for path in sorted((KUBERNETES / "base").glob("*.yaml")):
        if path.name != "kustomization.yaml":
            docs += _documents(path.read_text(encoding="utf-8"))
    return docs


@pytest.fixture(scope="module")
def objects() -> list[dict[str, Any]]:
    return rendered()


def of_kind(objects: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [obj for obj in objects if obj["kind"] == kind]


def named(objects: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    return next(obj for obj in of_kind(objects, kind) if obj["metadata"]["name"] == name)


def test_every_object_is_valid_against_the_kubernetes_schemas(objects: list[dict[str, Any]]) -> None:
    """Strict validation (unknown fields rejected) of every rendered object, and of the ingress-nginx setting."""
    extra = _documents((KUBERNETES / "ingress-nginx" / "controller-configmap.yaml").read_text(encoding="utf-8"))
    assert len(objects) >= 15
    for obj in [*objects, *extra]:
        kubernetes_validate.validate(obj, VERSION, strict=True)


def test_an_invalid_object_is_rejected() -> None:
    """The validator really checks: a Deployment with a misspelt field fails."""
    bad = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "x"},
        "spec": {"replica": 2, "selector": {"matchLabels": {"a": "b"}}, "template": {}},
    }
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(bad, VERSION, strict=True)


def test_rasa_has_probes_resources_a_disruption_budget_and_an_autoscaler(objects: list[dict[str, Any]]) -> None:
    """Rasa pods are taken out of the Service until the model is loaded, restarted when stuck,
    sized, never all evicted at once, and scaled on CPU; the model comes from a read-only volume."""
    rasa = named(objects, "Deployment", "rasa")
    container = rasa["spec"]["template"]["spec"]["containers"][0]
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert container[probe]["httpGet"]["port"] == "http"
    assert container["resources"]["requests"]["cpu"] and container["resources"]["requests"]["memory"]
    assert "--model" in container["args"] and "deploy/endpoints.production.yml" in container["args"]
    assert container["volumeMounts"][0]["readOnly"] is True
    pdb = named(objects, "PodDisruptionBudget", "rasa")
    assert pdb["spec"]["minAvailable"] == 1
    assert pdb["spec"]["selector"]["matchLabels"] == rasa["spec"]["selector"]["matchLabels"]
    hpa = named(objects, "HorizontalPodAutoscaler", "rasa")
    assert hpa["spec"]["scaleTargetRef"]["name"] == "rasa"
    assert hpa["spec"]["metrics"][0]["resource"]["name"] == "cpu"
    for name in ("rasa", "actions", "portal", "console", "web"):
        assert named(objects, "Deployment", name) and named(objects, "Service", name)


def test_ingress_exposes_only_webhooks_and_socketio_routed_by_sender(objects: list[dict[str, Any]]) -> None:
    """Only /webhooks/ and /socket.io/ reach Rasa, both hashed on a sender key the controller
    defines; the actions, portal and console are in no Ingress; the Rasa HTTP API has no path."""
    controller = (KUBERNETES / "ingress-nginx" / "controller-configmap.yaml").read_text(encoding="utf-8")
    rasa_paths, services = [], set()
    for ingress in of_kind(objects, "Ingress"):
        for rule in ingress["spec"]["rules"]:
            assert rule["host"] == "chat.example.gov.vn"
            for path in rule["http"]["paths"]:
                service = path["backend"]["service"]["name"]
                services.add(service)
                if service == "rasa":
                    rasa_paths.append(path["path"])
                    key = ingress["metadata"]["annotations"]["nginx.ingress.kubernetes.io/upstream-hash-by"]
                    assert re.search(rf"map \S+ {re.escape(key)} \{{", controller), key
    assert sorted(rasa_paths) == ["/socket.io/", "/webhooks/"]
    assert services == {"rasa", "web"}


def test_secrets_are_only_referenced(objects: list[dict[str, Any]]) -> None:
    """No Secret object and no secret value in the manifests: every token, password and database
    URL comes from a secretKeyRef."""
    assert not of_kind(objects, "Secret")
    for config in of_kind(objects, "ConfigMap"):
        assert not [name for name in config["data"] if SECRET_NAMES.search(name)], config["data"]
    for deployment in of_kind(objects, "Deployment"):
        spec = deployment["spec"]["template"]["spec"]
        for container in spec["containers"] + spec.get("initContainers", []):
            for variable in container.get("env", []):
                if SECRET_NAMES.search(variable["name"]):
                    assert variable["valueFrom"]["secretKeyRef"]["name"] == "assistant-secrets", variable
