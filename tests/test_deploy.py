"""deploy/ checked offline, as far as this machine can without a Docker engine or a cluster: the Kubernetes
manifests against the Kubernetes JSON schemas (kubernetes-validate carries them), the compose file against
the compose-spec schema (check-jsonschema carries it), the Dockerfile with hadolint (from PyPI), the
systemd units with systemd-analyze; every deployment runs the same roles with settings policywatch accepts;
the Grafana dashboard asks only for metrics policywatch exports."""

from __future__ import annotations

import copy
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from core.metrics import Metrics
from core.settings import load_settings

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"
BIN = Path(sys.executable).parent
KUBERNETES_VERSION = "1.30.0"  # the oldest minor release the bundled schemas cover: the manifests stay portable
# The process roles (policywatch.roles); tests/policywatch/test_roles.py runs each deployed command.
ROLES = {"scheduler", "crawl-worker", "stage classify", "stage store", "stage alert", "deliver", "web"}


def manifests() -> list[tuple[str, dict[str, Any]]]:
    return [
        (path.name, doc)
        for path in sorted((DEPLOY / "kubernetes").glob("*.yaml"))
        for doc in yaml.safe_load_all(path.read_text(encoding="utf-8"))
        if doc
    ]


def test_kubernetes_manifests_pass_the_kubernetes_schemas_strictly() -> None:
    docs = manifests()
    kinds = sorted({doc["kind"] for _, doc in docs})
    assert kinds == ["ConfigMap", "Deployment", "HorizontalPodAutoscaler", "Job", "Secret", "Service"]
    for name, doc in docs:
        try:
            kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)
        except kubernetes_validate.ValidationError as exc:
            pytest.fail(f"{name} {doc['kind']}/{doc['metadata']['name']}: {exc}")
    # The validator is not vacuous: a misspelt field fails.
    broken = copy.deepcopy(next(doc for _, doc in docs if doc["kind"] == "Deployment"))
    broken["spec"]["template"]["spec"]["containers"][0]["livenesProbe"] = {}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES_VERSION, strict=True)


def test_kubernetes_deployments_probe_health_and_take_config_and_secrets_from_their_objects() -> None:
    docs = manifests()
    deployments = [doc for _, doc in docs if doc["kind"] == "Deployment"]
    assert {" ".join(d["spec"]["template"]["spec"]["containers"][0]["args"]) for d in deployments} == ROLES
    for deployment in deployments:
        pod = deployment["spec"]["template"]["spec"]
        container = pod["containers"][0]
        assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
        assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
        assert container["envFrom"] == [{"secretRef": {"name": "policywatch-secrets"}}]
        assert pod["volumes"][0]["configMap"]["name"] == "policywatch-config"
        assert pod["securityContext"]["runAsNonRoot"] is True
    web = next(d for d in deployments if d["metadata"]["name"] == "policywatch-web")
    service = next(doc for _, doc in docs if doc["kind"] == "Service")
    assert service["spec"]["selector"] == web["spec"]["selector"]["matchLabels"]


def test_the_configmap_and_secret_make_valid_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    docs = dict((doc["kind"], doc) for _, doc in manifests() if doc["kind"] in ("ConfigMap", "Secret"))
    config = tmp_path / "policywatch.toml"
    config.write_text(docs["ConfigMap"]["data"]["policywatch.toml"], encoding="utf-8")
    for key, value in docs["Secret"]["stringData"].items():
        monkeypatch.setenv(key, value)
    settings = load_settings(config)
    assert settings.captures.backend == "s3" and settings.kafka.idempotent_producer
    assert settings.captures.s3.secret_access_key.get_secret_value() == "change-me"
    load_settings(DEPLOY / "policywatch.production.toml")


def test_compose_file_passes_the_compose_spec_and_runs_every_role() -> None:
    compose = DEPLOY / "compose.yaml"
    checked = subprocess.run(
        [str(BIN / "check-jsonschema"), "--builtin-schema", "vendor.compose-spec", str(compose)],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    services = yaml.safe_load(compose.read_text(encoding="utf-8"))["services"]
    commands = {" ".join(s["command"]) for s in services.values() if "command" in s}
    assert commands == ROLES | {"db upgrade", "run"}
    for name, service in services.items():
        assert set(service.get("depends_on", {})) <= set(services), name
    assert services["kafka"]["image"].startswith("apache/kafka:4.")
    environment = services["web"]["environment"]
    assert json.loads(environment["POLICYWATCH_KAFKA__BOOTSTRAP_SERVERS"]) == ["kafka:9092"]


def test_dockerfile_passes_hadolint() -> None:
    linted = subprocess.run([str(BIN / "hadolint"), str(DEPLOY / "Dockerfile")],
                            capture_output=True, text=True, timeout=60, check=False)
    assert linted.returncode == 0, linted.stdout + linted.stderr
    text = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    assert len(re.findall(r"^FROM ", text, re.M)) == 2 and re.search(r"^USER 10001", text, re.M)
    assert "-c requirements.lock" in text


def test_systemd_units_verify_and_cover_every_role(tmp_path: Path) -> None:
    units = sorted((DEPLOY / "systemd").glob("*.service")) + sorted((DEPLOY / "systemd").glob("*.target"))
    commands = set()
    for unit in units:
        text = unit.read_text(encoding="utf-8")
        for line in re.findall(r"^ExecStart=.* --config /etc/policywatch/policywatch.toml (.+)$", text, re.M):
            commands.add(line.replace("%i", "alert") if "%i" in line else line)
        # the executable must exist for systemd-analyze: point it at this checkout's
        (tmp_path / unit.name).write_text(text.replace("/opt/policywatch/.venv/bin/policywatch",
                                                       str(BIN / "policywatch")), encoding="utf-8")
    assert commands == (ROLES - {"stage classify", "stage store"}) | {"run", "db upgrade"}
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze not installed (Debian: apt-get install systemd)")
    for template, instance in (("policywatch-stage@.service", "store"), ("policywatch-crawl-worker@.service", "1")):
        shutil.copy(tmp_path / template, tmp_path / template.replace("@", f"@{instance}"))
    names = [p for p in sorted(tmp_path.iterdir()) if "@." not in p.name]
    verified = subprocess.run([analyze, "verify", *map(str, names)],
                              capture_output=True, text=True, timeout=120, check=False)
    assert verified.returncode == 0 and verified.stdout + verified.stderr == "", verified.stdout + verified.stderr


def exported_sample_names() -> set[str]:
    names = set()
    for family in Metrics().registry.collect():
        suffixes = {"counter": ["_total"], "histogram": ["_bucket", "_sum", "_count"]}.get(family.type, [""])
        names.update(family.name + suffix for suffix in suffixes)
    return names


def test_grafana_dashboard_queries_only_exported_metrics() -> None:
    dashboard = json.loads((DEPLOY / "grafana" / "policywatch-dashboard.json").read_text(encoding="utf-8"))
    exprs = [target["expr"] for panel in dashboard["panels"] for target in panel["targets"]]
    used = {name for expr in exprs for name in re.findall(r"\bpolicywatch_[a-z_]+", expr)}
    exported = exported_sample_names()
    assert used <= exported, used - exported
    shown = {re.sub(r"_(total|bucket|sum|count)$", "", name) for name in used}
    assert shown == {family.name for family in Metrics().registry.collect()}  # and every metric has a panel
