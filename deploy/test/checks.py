#!/usr/bin/env python3
"""Offline checks of sift's deployment files, used by validate.sh and prometheus-e2e.sh.

Every check prints one line, `PASS <what>` or `FAIL <what>: <why>` (or `SKIP <what>: <why>`);
the exit status is the number of failures (capped at 100). Subcommands:

  manifests      Kubernetes manifests: built-in kinds against the Kubernetes schemas
                 (kubernetes-validate, strict), CRDs and the Kustomization against the JSON
                 schemas in deploy/test/schemas/, plus cross-checks between the manifests,
                 the mounted sift.toml, the alert rules and the Dockerfile.
  dashboard      Grafana dashboard structure (panels, datasources, targets, variables).
  exprs          Print every PromQL expression of the dashboard and the alerts as JSON lines,
                 with Grafana variables substituted, for the end-to-end test to query.
  alerts-coverage  Every alert has a firing unit test, severity, annotations, a runbook section.
  query URL      Query a live Prometheus for every expression (must evaluate; dashboard ones
                 must return data), check that the worker's key series moved, and that the
                 loaded alert rules evaluate without error.
  metric-names   Check that every metric the dashboard and alerts name is in a /metrics dump.
  prometheusrule Check (or --write) deploy/k8s/prometheusrule.yaml against alerts.yml.

Needs PyYAML, jsonschema and kubernetes-validate (validate.sh installs them into a venv).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
K8S = DEPLOY / "k8s"
SCHEMAS = DEPLOY / "test" / "schemas"
DASHBOARD = DEPLOY / "grafana" / "sift-dashboard.json"
ALERTS = DEPLOY / "prometheus" / "alerts.yml"
DOCKERFILE = DEPLOY / "Dockerfile"
PROMETHEUSRULE = K8S / "prometheusrule.yaml"

# Kubernetes versions the built-in manifests must be valid for (oldest supported, newest known).
K8S_VERSIONS = ["1.30.0", "latest"]

# Metrics that a worker only exposes after their first event, because they have labels and no
# label values are created up front. Each is reported as SKIP (not PASS) when absent.
LAZY_METRICS = {
    "sift_delivery_failures_total": "no series until the first failed delivery "
    "(its reason values are not pre-created in src/metrics.rs)",
}
# Series Prometheus itself attaches to every target.
SYNTHETIC_METRICS = {"up", "scrape_duration_seconds", "scrape_samples_scraped"}


class Report:
    """Collects PASS/FAIL lines."""

    def __init__(self) -> None:
        self.failed = 0

    def check(self, ok: bool, what: str, why: str = "") -> bool:
        if ok:
            print(f"PASS {what}", flush=True)
        else:
            self.failed += 1
            print(f"FAIL {what}: {why}", flush=True)
        return ok

    def skip(self, what: str, why: str) -> None:
        print(f"SKIP {what}: {why}", flush=True)

    def exit(self) -> None:
        sys.exit(min(self.failed, 100))


def load_yaml_docs(path: Path) -> list[dict]:
    with path.open() as f:
        return [d for d in yaml.safe_load_all(f) if d is not None]


def schema_for(doc: dict) -> Path | None:
    api = str(doc.get("apiVersion", ""))
    kind = str(doc.get("kind", ""))
    if "/" not in api:
        return None
    path = SCHEMAS / f"{api.replace('/', '_')}_{kind}.json"
    return path if path.exists() else None


def validate_with_schema(rep: Report, doc: dict, schema_path: Path, what: str) -> None:
    import jsonschema

    schema = json.loads(schema_path.read_text())
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
    why = "; ".join(
        f"{'/'.join(str(p) for p in e.absolute_path) or '(root)'}: {e.message}" for e in errors[:5]
    )
    rep.check(not errors, f"{what} matches {schema_path.name}", why)


BUILTIN_GROUPS = ("v1", "apps/v1", "batch/v1", "policy/v1", "autoscaling/v2",
                  "networking.k8s.io/v1", "rbac.authorization.k8s.io/v1")


def validate_builtin(rep: Report, doc: dict, what: str) -> None:
    import kubernetes_validate

    for version in K8S_VERSIONS:
        v = kubernetes_validate.utils.latest_version() if version == "latest" else version
        try:
            kubernetes_validate.validate(doc, v, strict=True)
            rep.check(True, f"{what} valid for Kubernetes {v} (kubernetes-validate --strict)")
        except kubernetes_validate.ValidationError as e:
            path = "/".join(str(p) for p in e.path)
            rep.check(False, f"{what} valid for Kubernetes {v}", f"{path}: {e.message}")
        except Exception as e:  # schema not found, unsupported version
            rep.check(False, f"{what} valid for Kubernetes {v}", f"{type(e).__name__}: {e}")


def validate_doc(rep: Report, doc: dict, what: str) -> None:
    api = str(doc.get("apiVersion", ""))
    if api in BUILTIN_GROUPS:
        validate_builtin(rep, doc, what)
        return
    schema = schema_for(doc)
    if schema is None:
        rep.check(False, f"{what} has a schema", f"no built-in schema and no {SCHEMAS.name}/ file "
                  f"for {api} {doc.get('kind')}")
        return
    validate_with_schema(rep, doc, schema, what)


def pod_labels(dep: dict) -> dict:
    return dep["spec"]["template"]["metadata"]["labels"]


def selects(selector: dict, labels: dict) -> bool:
    match = selector.get("matchLabels", selector)
    return all(labels.get(k) == v for k, v in match.items())


def cmd_manifests(args: argparse.Namespace) -> None:
    rep = Report()
    kust_path = K8S / "kustomization.yaml"
    kust = load_yaml_docs(kust_path)[0]
    validate_with_schema(rep, kust, SCHEMAS / "kustomize.config.k8s.io_v1beta1_Kustomization.json",
                         "k8s/kustomization.yaml")

    resources: dict[str, list[dict]] = {}
    for res in kust.get("resources", []):
        p = K8S / res
        if rep.check(p.is_file(), f"kustomization resource {res} exists", f"{p} missing"):
            resources[res] = load_yaml_docs(p)
    listed = set(kust.get("resources", []))
    generated_files = {f for g in kust.get("configMapGenerator", []) for f in g.get("files", [])}
    for p in sorted(K8S.glob("*.yaml")):
        if p.name == "kustomization.yaml":
            continue
        rep.check(p.name in listed, f"k8s/{p.name} is listed in kustomization.yaml",
                  "a manifest outside the kustomization is never applied")

    docs: list[tuple[str, dict]] = []
    for res, ds in resources.items():
        for d in ds:
            docs.append((f"k8s/{res} {d.get('kind')}/{d.get('metadata', {}).get('name')}", d))
    # The ConfigMap kustomize generates from the config file.
    config_toml = None
    for g in kust.get("configMapGenerator", []):
        data = {}
        for f in g.get("files", []):
            p = K8S / f
            if rep.check(p.is_file(), f"configMapGenerator file {f} exists", f"{p} missing"):
                data[Path(f).name] = p.read_text()
                if f.endswith(".toml"):
                    try:
                        config_toml = tomllib.loads(data[Path(f).name])
                        rep.check(True, f"k8s/{f} is valid TOML")
                    except tomllib.TOMLDecodeError as e:
                        rep.check(False, f"k8s/{f} is valid TOML", str(e))
        cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": g["name"]}, "data": data}
        docs.append((f"generated ConfigMap/{g['name']}", cm))
    for topic_file in sorted((K8S / "topics").glob("*.yaml")):
        for d in load_yaml_docs(topic_file):
            docs.append((f"k8s/topics/{topic_file.name} {d.get('kind')}/{d['metadata']['name']}", d))
    for what, d in docs:
        validate_doc(rep, d, what)

    by_kind: dict[str, list[dict]] = {}
    for _, d in docs:
        by_kind.setdefault(d.get("kind", ""), []).append(d)
    cross_checks(rep, by_kind, config_toml or {}, kust)
    rep.exit()


def first(by_kind: dict, kind: str) -> dict:
    items = by_kind.get(kind, [])
    if not items:
        raise SystemExit(f"FAIL no {kind} among the manifests")
    return items[0]


def cross_checks(rep: Report, by_kind: dict, cfg: dict, kust: dict) -> None:
    dep = first(by_kind, "Deployment")
    spec = dep["spec"]
    pod = spec["template"]["spec"]
    labels = pod_labels(dep)
    container = pod["containers"][0]
    pipeline = cfg.get("pipeline", {})
    kafka = cfg.get("kafka", {})
    topics = cfg.get("topics", {})
    http = cfg.get("http", {})

    rep.check("replicas" not in spec, "Deployment leaves replicas to the autoscaler",
              "spec.replicas would fight KEDA on every apply")
    drain = int(pipeline.get("drain_timeout_ms", 20000))
    shutdown = int(pipeline.get("shutdown_timeout_ms", 30000))
    grace = int(pod.get("terminationGracePeriodSeconds", 30))
    rep.check(grace * 1000 > max(drain, shutdown),
              f"terminationGracePeriodSeconds ({grace}s) > drain ({drain} ms) and shutdown ({shutdown} ms) limits",
              "the kubelet would SIGKILL the worker mid-drain")
    session = int(kafka.get("session_timeout_ms", 45000))
    rep.check(drain < session, f"drain_timeout_ms ({drain}) < session_timeout_ms ({session})",
              "a revoke drain longer than the session gets the replica kicked out of the group")
    port = int(http.get("port", 9464))
    ports = {p["name"]: p["containerPort"] for p in container.get("ports", [])}
    rep.check(ports.get("ops") == port, f"container port 'ops' == [http] port {port}", f"ports {ports}")
    for probe, path in (("livenessProbe", "/healthz"), ("readinessProbe", "/readyz")):
        got = container.get(probe, {}).get("httpGet", {})
        rep.check(got.get("path") == path and got.get("port") in ("ops", port),
                  f"{probe} GET {path} on the ops port", f"got {got}")
    res = container.get("resources", {})
    rep.check(all(k in res.get(s, {}) for s in ("requests", "limits") for k in ("cpu", "memory")),
              "container has cpu and memory requests and limits", f"got {res}")
    sc = container.get("securityContext", {})
    psc = pod.get("securityContext", {})
    rep.check(sc.get("readOnlyRootFilesystem") is True and sc.get("allowPrivilegeEscalation") is False
              and psc.get("runAsNonRoot") is True,
              "container runs non-root with a read-only root filesystem", f"got {sc} {psc}")
    m = re.search(r"^USER\s+(\d+)", DOCKERFILE.read_text(), re.M)
    rep.check(bool(m) and psc.get("runAsUser") == int(m.group(1)),
              "pod runAsUser matches the Dockerfile USER", f"Dockerfile USER {m and m.group(1)}, pod {psc.get('runAsUser')}")
    env = {e["name"]: e.get("value") for e in container.get("env", [])}
    mounts = {v["mountPath"] for v in container.get("volumeMounts", [])}
    cfg_path = env.get("SIFT_CONFIG", "")
    rep.check(any(cfg_path.startswith(mp + "/") for mp in mounts),
              f"SIFT_CONFIG ({cfg_path}) lies in a mounted volume", f"mounts {mounts}")
    gen_names = {g["name"] for g in kust.get("configMapGenerator", [])}
    cm_vols = {v["configMap"]["name"] for v in pod.get("volumes", []) if "configMap" in v}
    rep.check(cm_vols <= gen_names and bool(cm_vols), "config volume uses the generated ConfigMap",
              f"volumes {cm_vols}, generated {gen_names}")
    image_names = {i["name"] for i in kust.get("images", [])}
    rep.check(container.get("image") in image_names, "container image is set by kustomization images",
              f"{container.get('image')} not in {image_names}")

    for kind in ("Service", "PodDisruptionBudget"):
        obj = first(by_kind, kind)
        rep.check(selects(obj["spec"]["selector"], labels), f"{kind} selects the worker pods",
                  f"{obj['spec']['selector']} vs {labels}")
    svc = first(by_kind, "Service")
    rep.check(svc["spec"].get("publishNotReadyAddresses") is True,
              "metrics Service publishes not-ready pods (replaying replicas stay scraped)", "")
    svc_ports = {p["name"] for p in svc["spec"]["ports"]}
    pdb = first(by_kind, "PodDisruptionBudget")
    rep.check("maxUnavailable" in pdb["spec"] or "minAvailable" in pdb["spec"], "PDB bounds disruptions", "")
    sm = first(by_kind, "ServiceMonitor")
    rep.check(selects(sm["spec"]["selector"], svc["metadata"]["labels"]),
              "ServiceMonitor selects the metrics Service", "")
    rep.check(all(e.get("port") in svc_ports and e.get("path", "/metrics") == "/metrics"
                  for e in sm["spec"]["endpoints"]),
              "ServiceMonitor scrapes /metrics on a Service port", f"service ports {svc_ports}")

    so = first(by_kind, "ScaledObject")
    trig = [t for t in so["spec"]["triggers"] if t["type"] == "kafka"]
    if rep.check(len(trig) == 1, "ScaledObject has one kafka trigger", f"got {len(trig)}"):
        md = trig[0]["metadata"]
        rep.check(md.get("consumerGroup") == kafka.get("group_id", "sift"),
                  "KEDA consumerGroup == kafka.group_id", f"{md.get('consumerGroup')} vs {kafka.get('group_id')}")
        rep.check(md.get("topic") == topics.get("input", "pages.raw"),
                  "KEDA topic == topics.input", f"{md.get('topic')} vs {topics.get('input')}")
        rep.check(md.get("bootstrapServers") == kafka.get("brokers"),
                  "KEDA bootstrapServers == kafka.brokers", f"{md.get('bootstrapServers')} vs {kafka.get('brokers')}")
        rep.check(md.get("allowIdleConsumers", "false") == "false",
                  "KEDA never scales past the partition count (allowIdleConsumers false)", "")
    rep.check(so["spec"]["scaleTargetRef"]["name"] == dep["metadata"]["name"],
              "ScaledObject targets the Deployment", "")
    rep.check(so["spec"].get("minReplicaCount", 0) >= 1, "ScaledObject keeps at least one replica", "")
    input_topic = topics.get("input", "pages.raw")
    kt = {t["metadata"]["name"]: t for t in by_kind.get("KafkaTopic", [])}
    if rep.check(input_topic in kt, f"topic examples define the input topic {input_topic}", f"have {sorted(kt)}"):
        parts = kt[input_topic]["spec"]["partitions"]
        rep.check(so["spec"]["maxReplicaCount"] <= parts,
                  f"maxReplicaCount ({so['spec']['maxReplicaCount']}) <= input partitions ({parts})",
                  "replicas beyond the partition count sit idle and never become ready")
    for key in ("events", "state"):
        name = topics.get(key, {"events": "events", "state": "sift.state"}[key])
        policy = kt.get(name, {}).get("spec", {}).get("config", {}).get("cleanup.policy", "")
        rep.check("compact" in policy, f"topic {name} ({key}) is compacted", f"cleanup.policy={policy!r}")
    state_cfg = kt.get(topics.get("state", "sift.state"), {}).get("spec", {}).get("config", {})
    if "delete" in state_cfg.get("cleanup.policy", ""):
        window_ms = int(cfg.get("stages", {}).get("dedup", {}).get("window_days", 7)) * 86_400_000
        rep.check(int(state_cfg.get("retention.ms", 0)) > window_ms,
                  "state topic retention outlasts the dedup window", f"{state_cfg.get('retention.ms')} <= {window_ms}")
    check_prometheusrule(rep, write=False)


def alerts_groups() -> list:
    return load_yaml_docs(ALERTS)[0]["groups"]


PROMETHEUSRULE_HEADER = """\
# GENERATED from deploy/prometheus/alerts.yml by `python3 deploy/test/checks.py prometheusrule --write`;
# do not edit here. The alert rules for the Prometheus Operator (validate.sh checks they match).
"""


def check_prometheusrule(rep: Report, write: bool) -> None:
    groups = alerts_groups()
    if write:
        doc = {"apiVersion": "monitoring.coreos.com/v1", "kind": "PrometheusRule",
               "metadata": {"name": "sift", "labels": {"app.kubernetes.io/name": "sift",
                                                        "app.kubernetes.io/component": "worker"}},
               "spec": {"groups": groups}}


        def literal(dumper, data):
            style = "|" if "\n" in data else None
            return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)

        yaml.add_representer(str, literal, Dumper=yaml.SafeDumper)
        PROMETHEUSRULE.write_text(PROMETHEUSRULE_HEADER + yaml.safe_dump(doc, sort_keys=False, width=120))
    if not PROMETHEUSRULE.exists():
        rep.check(False, "k8s/prometheusrule.yaml exists", "run checks.py prometheusrule --write")
        return
    pr = load_yaml_docs(PROMETHEUSRULE)[0]
    rep.check(pr.get("spec", {}).get("groups") == groups,
              "k8s/prometheusrule.yaml carries exactly the groups of prometheus/alerts.yml",
              "out of date: run `python3 deploy/test/checks.py prometheusrule --write`")


def cmd_prometheusrule(args: argparse.Namespace) -> None:
    rep = Report()
    check_prometheusrule(rep, write=args.write)
    rep.exit()


VAR_RE = re.compile(r"\$(?:\{([A-Za-z0-9_]+)(?::[a-z]+)?\}|([A-Za-z0-9_]+))")
BUILTIN_VARS = {"__rate_interval", "__interval", "__range", "__interval_ms", "__range_s"}


def dashboard_targets(d: dict) -> list[tuple[str, dict]]:
    out = []
    for p in d.get("panels", []):
        for inner in [p] + p.get("panels", []):
            for t in inner.get("targets", []) or []:
                out.append((inner.get("title", "?"), t))
    return out


def cmd_dashboard(args: argparse.Namespace) -> None:
    rep = Report()
    try:
        d = json.loads(DASHBOARD.read_text())
        rep.check(True, "dashboard is valid JSON")
    except json.JSONDecodeError as e:
        rep.check(False, "dashboard is valid JSON", str(e))
        rep.exit()
    for key in ("title", "uid", "schemaVersion", "panels", "templating"):
        rep.check(key in d, f"dashboard has '{key}'", "missing")
    rep.check(isinstance(d.get("uid"), str) and 0 < len(d["uid"]) <= 40, "dashboard uid is 1..40 chars", "")
    variables = {v["name"]: v for v in d.get("templating", {}).get("list", [])}
    ds_vars = {n for n, v in variables.items() if v.get("type") == "datasource" and v.get("query") == "prometheus"}
    rep.check(bool(ds_vars), "dashboard has a Prometheus datasource variable", f"variables {sorted(variables)}")
    ids = []
    grid_ok = True
    for p in d.get("panels", []):
        ids.append(p.get("id"))
        g = p.get("gridPos", {})
        if not all(isinstance(g.get(k), int) for k in ("x", "y", "w", "h")) or g["x"] + g["w"] > 24:
            grid_ok = False
            rep.check(False, f"panel '{p.get('title')}' has a gridPos inside 24 columns", f"gridPos {g}")
        if p.get("type") == "row":
            continue
        title = p.get("title", "?")
        ds = p.get("datasource", {})
        ok = isinstance(ds, dict) and ds.get("type") == "prometheus" and ds.get("uid", "").strip("${}") in ds_vars
        rep.check(ok, f"panel '{title}' uses the Prometheus datasource variable", f"datasource {ds}")
        targets = p.get("targets", [])
        refs = [t.get("refId") for t in targets]
        rep.check(bool(targets) and all(t.get("expr", "").strip() for t in targets) and len(set(refs)) == len(refs),
                  f"panel '{title}' has targets with expressions and unique refIds", f"targets {targets}")
        rep.check(p.get("type") in {"timeseries", "stat", "gauge", "bargauge", "table", "heatmap", "text"},
                  f"panel '{title}' has a known type", f"type {p.get('type')}")
    rep.check(grid_ok, "every panel fits the 24-column grid", "")
    rep.check(len(ids) == len(set(ids)) and None not in ids, "panel ids are unique", f"ids {ids}")
    used = set()
    for _, t in dashboard_targets(d):
        for m in VAR_RE.finditer(t.get("expr", "")):
            used.add(m.group(1) or m.group(2))
    for v in variables.values():
        q = v.get("query")
        q = q.get("query", "") if isinstance(q, dict) else (q or "")
        for m in VAR_RE.finditer(q):
            used.add(m.group(1) or m.group(2))
    undefined = sorted(u for u in used if u not in variables and u not in BUILTIN_VARS)
    rep.check(not undefined, "every $variable in a query is defined", f"undefined {undefined}")
    rep.exit()


def substitute(expr: str, values: dict[str, str]) -> str:
    def repl(m: re.Match) -> str:
        name = m.group(1) or m.group(2)
        return values.get(name, m.group(0))

    return VAR_RE.sub(repl, expr)


def all_exprs(job: str, rate_interval: str) -> list[dict]:
    """Every expression, ready to query: dashboard targets and variable queries, alert rules."""
    d = json.loads(DASHBOARD.read_text())
    values = {"job": job, "instance": ".*", "__rate_interval": rate_interval,
              "__interval": rate_interval, "__range": rate_interval}
    out = []
    for title, t in dashboard_targets(d):
        out.append({"source": f"dashboard: {title} [{t.get('refId')}]",
                    "expr": substitute(t["expr"], values), "needs_data": True})
    for v in d.get("templating", {}).get("list", []):
        q = v.get("query")
        q = q.get("query", "") if isinstance(q, dict) else ""
        m = re.fullmatch(r"label_values\((.*),\s*(\w+)\)", q.strip())
        if m:  # label_values(SELECTOR, label) is Grafana's; query its selector.
            out.append({"source": f"dashboard variable ${v['name']}",
                        "expr": substitute(m.group(1), values), "needs_data": True})
    for g in alerts_groups():
        for r in g["rules"]:
            name = r.get("alert") or r.get("record")
            out.append({"source": f"alert {name}", "expr": str(r["expr"]).strip(), "needs_data": False})
    return out


def cmd_exprs(args: argparse.Namespace) -> None:
    for e in all_exprs(args.job, args.rate_interval):
        print(json.dumps(e))


PROMQL_WORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "and", "or", "unless",
                "bool", "offset", "inf", "nan", "le"}


def metric_names(expr: str) -> set[str]:
    """Metric names a PromQL expression selects (functions, keywords and labels left out)."""
    s = re.sub(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'', '""', expr)
    s = re.sub(r"\{[^}]*\}", " ", s)
    s = re.sub(r"\[[^\]]*\]", " ", s)
    s = re.sub(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", s)
    names = set()
    for m in re.finditer(r"(?<![A-Za-z0-9_:.])([A-Za-z_:][A-Za-z0-9_:]*)\s*(\()?", s):
        word, call = m.group(1), m.group(2)
        if call or word in PROMQL_WORDS:
            continue
        names.add(word)
    return names


def exposed_names(metrics_text: str) -> set[str]:
    names = set()
    for line in metrics_text.splitlines():
        if line.startswith("# TYPE "):
            parts = line.split()
            if len(parts) >= 3:
                names.add(parts[2])
        elif line and not line.startswith("#"):
            names.add(re.split(r"[{\s]", line, maxsplit=1)[0])
    return names


def cmd_metric_names(args: argparse.Namespace) -> None:
    rep = Report()
    exposed = exposed_names(Path(args.metrics_file).read_text())
    wanted: dict[str, list[str]] = {}
    for e in all_exprs("sift", "1m"):
        for n in metric_names(e["expr"]):
            wanted.setdefault(n, []).append(e["source"])
    rep.check(bool(wanted), "found metric names in the dashboard and alerts", "none found")
    for name in sorted(wanted):
        if name in SYNTHETIC_METRICS:
            rep.check(True, f"metric {name} (added by Prometheus to every target)")
        elif name in exposed:
            rep.check(True, f"metric {name} is exposed by the worker")
        elif name in LAZY_METRICS:
            rep.skip(f"metric {name} not exposed yet", LAZY_METRICS[name])
        else:
            rep.check(False, f"metric {name} is exposed by the worker",
                      f"not in /metrics; used by {', '.join(sorted(set(wanted[name])))}")
    rep.exit()


def cmd_alerts_coverage(args: argparse.Namespace) -> None:
    rep = Report()
    tests = load_yaml_docs(DEPLOY / "prometheus" / "alerts_test.yml")[0]
    firing = set()
    for t in tests.get("tests", []):
        for a in t.get("alert_rule_test", []):
            if a.get("exp_alerts"):
                firing.add(a["alertname"])
    ops = (ROOT / "docs" / "operations.md").read_text()
    anchors = {re.sub(r"[^a-z0-9 -]", "", h.strip().lower()).replace(" ", "-")
               for h in re.findall(r"^#+\s+(.*)$", ops, re.M)}
    for g in alerts_groups():
        for r in g["rules"]:
            name = r.get("alert")
            if not name:
                continue
            rep.check(name in firing, f"alert {name} has a firing case in alerts_test.yml", "no exp_alerts for it")
            ann = r.get("annotations", {})
            rep.check(r.get("labels", {}).get("severity") in {"critical", "warning", "info"}
                      and all(k in ann for k in ("summary", "description", "runbook")),
                      f"alert {name} has severity, summary, description and runbook", f"{r.get('labels')} {sorted(ann)}")
            anchor = ann.get("runbook", "").partition("#")[2]
            rep.check(anchor in anchors, f"alert {name} runbook #{anchor} is a heading of docs/operations.md",
                      "no such heading")
    rep.exit()


def prom_query(url: str, expr: str) -> dict:
    import urllib.error
    import urllib.parse
    import urllib.request

    q = urllib.parse.urlencode({"query": expr})
    try:
        with urllib.request.urlopen(f"{url}/api/v1/query?{q}", timeout=10) as r:
            return json.loads(r.read())
    except urllib.error.HTTPError as e:  # 400/422 carry the error as JSON
        try:
            return json.loads(e.read())
        except json.JSONDecodeError:
            return {"status": "error", "error": f"HTTP {e.code}"}
    except (urllib.error.URLError, OSError) as e:
        return {"status": "error", "error": str(e)}


def scalar_values(resp: dict) -> list[float]:
    return [float(r["value"][1]) for r in resp.get("data", {}).get("result", [])]


def cmd_query(args: argparse.Namespace) -> None:
    """Query a live Prometheus for every dashboard and alert expression."""
    import time
    import urllib.request

    rep = Report()
    deadline = time.monotonic() + args.wait
    url = args.url.rstrip("/")
    for e in all_exprs(args.job, args.rate_interval):
        lazy = metric_names(e["expr"]) <= set(LAZY_METRICS)
        while True:
            resp = prom_query(url, e["expr"])
            ok = resp.get("status") == "success"
            has_data = ok and bool(resp["data"].get("result"))
            if not ok or not e["needs_data"] or has_data or lazy or time.monotonic() > deadline:
                break
            time.sleep(1)
        if not ok:
            rep.check(False, f"{e['source']} evaluates", f"{resp.get('errorType', '')} {resp.get('error')}: {e['expr']}")
        elif e["needs_data"] and not has_data and lazy:
            rep.skip(f"{e['source']} evaluates, no data", "only names metrics that appear on first event")
        elif e["needs_data"]:
            rep.check(has_data, f"{e['source']} evaluates and returns data", f"empty result: {e['expr']}")
        else:
            n = len(resp["data"].get("result", []))
            rep.check(True, f"{e['source']} evaluates ({n} series firing now)")
    # Values that must have moved during the run.
    j = f'job="{args.job}"'
    moving = [
        (f"sum(increase(sift_records_consumed_total{{{j}}}[5m]))", lambda v: v and v[0] > 0, "input was consumed"),
        (f"sum(rate(sift_records_consumed_total{{{j}}}[5m]))", lambda v: v and v[0] > 0, "input rate > 0"),
        (f"sum(increase(sift_records_rejected_total{{{j}}}[5m]))", lambda v: v and v[0] > 0, "dead letters counted"),
        (f'sum(increase(sift_records_produced_total{{{j},output="rejected"}}[5m]))', lambda v: v and v[0] > 0,
         "dead letters delivered to the rejected topic"),
        (f'sum(increase(sift_records_produced_total{{{j},output="clean"}}[5m]))', lambda v: v and v[0] > 0,
         "clean records delivered"),
        (f"count(sift_consumer_lag{{{j}}})", lambda v: v and v[0] == args.partitions,
         f"lag reported for all {args.partitions} input partitions"),
        (f"max(sift_consumer_lag{{{j}}})", lambda v: v and v[0] == 0, "consumer caught up (lag 0)"),
        (f"count(sum by (stage) (increase(sift_stage_duration_seconds_count{{{j}}}[5m])) > 0)",
         lambda v: v and v[0] == 4, "all 4 stages timed pages"),
        (f"sum(increase(sift_dedup_verdicts_total{{{j}}}[5m]))", lambda v: v and v[0] > 0, "dedup verdicts counted"),
        (f'max(sift_rebalances_total{{{j},kind="assign"}})', lambda v: v and v[0] >= 1, "partition assignment counted"),
        (f"min(sift_ready{{{j}}})", lambda v: v and v[0] == 1, "worker ready"),
        (f"max(sift_state_replay_lag{{{j}}})", lambda v: v and v[0] == 0, "state replay caught up"),
        # Whole seconds (the prometheus crate's collector), so a short run may show no increase.
        (f"count(process_cpu_seconds_total{{{j}}})", lambda v: v and v[0] == 1, "process CPU exported"),
        (f"sum(process_resident_memory_bytes{{{j}}})", lambda v: v and v[0] > 1e6, "process RSS exported"),
    ]
    for expr, pred, what in moving:
        while True:
            resp = prom_query(url, expr)
            vals = scalar_values(resp) if resp.get("status") == "success" else []
            if pred(vals) or time.monotonic() > deadline:
                break
            time.sleep(1)
        rep.check(bool(pred(vals)), f"{what}: {expr} = {vals}", f"got {vals} ({resp.get('error', '')})")
    # The alert rules loaded into the same server evaluate without error.
    with urllib.request.urlopen(f"{url}/api/v1/rules", timeout=10) as r:
        rules = json.loads(r.read())["data"]["groups"]
    loaded = {ru["name"]: ru for g in rules for ru in g["rules"]}
    for g in alerts_groups():
        for r in g["rules"]:
            name = r.get("alert") or r.get("record")
            ru = loaded.get(name)
            if not ru:
                rep.check(False, f"rule {name} loaded by prometheus", "not in /api/v1/rules")
                continue
            while ru.get("health") != "ok" and time.monotonic() < deadline:
                time.sleep(1)
                with urllib.request.urlopen(f"{url}/api/v1/rules", timeout=10) as resp:
                    ru = {x["name"]: x for gg in json.loads(resp.read())["data"]["groups"]
                          for x in gg["rules"]}.get(name, ru)
            rep.check(ru.get("health") == "ok", f"rule {name} evaluates in prometheus (state {ru.get('state')})",
                      f"health {ru.get('health')}: {ru.get('lastError')}")
    rep.exit()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    sub.add_parser("manifests").set_defaults(fn=cmd_manifests)
    sub.add_parser("dashboard").set_defaults(fn=cmd_dashboard)
    p = sub.add_parser("exprs")
    p.add_argument("--job", default="sift")
    p.add_argument("--rate-interval", default="1m")
    p.set_defaults(fn=cmd_exprs)
    p = sub.add_parser("metric-names")
    p.add_argument("metrics_file")
    p.set_defaults(fn=cmd_metric_names)
    sub.add_parser("alerts-coverage").set_defaults(fn=cmd_alerts_coverage)
    p = sub.add_parser("query")
    p.add_argument("url")
    p.add_argument("--job", default="sift")
    p.add_argument("--rate-interval", default="30s")
    p.add_argument("--partitions", type=int, default=2)
    p.add_argument("--wait", type=float, default=30.0, help="seconds to wait for data to appear")
    p.set_defaults(fn=cmd_query)
    p = sub.add_parser("prometheusrule")
    p.add_argument("--write", action="store_true")
    p.set_defaults(fn=cmd_prometheusrule)
    args = ap.parse_args()
    args.fn(args)


if __name__ == "__main__":
    main()
