"""deploy/observability against a real Prometheus and a real authd.

1. promtool: the shipped scrape config and rules are valid, and the rule unit tests
   (Tests/EndToEnd/alerts_test.yml) pass; the quiet-server test there names every alert, and
   every runbook link points at a heading of docs/operations.md.
2. A real `authd serve` (metrics behind a bearer token) under a short `bench mixed` load, with
   a refresh-token replay, a lockout and a snapshot: every metric the rules and the dashboard
   name is on its /metrics with # HELP, except the cluster-only metrics of
   deploy/observability/cluster-metrics.txt; every exported metric has # HELP.
3. A real Prometheus on 127.0.0.1 scrapes it with the shipped config (its target, token file
   and intervals rewritten): every rule loads and evaluates, every dashboard query parses and
   returns at least one series (cluster-only queries: parse only), and the replay fires
   AuthdRefreshReplayDetected.

Only processes started here are stopped, by PID.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

import yaml

from authd_process import Server, free_port, wait_for

BIN = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else ".build/debug")
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
DEPLOY = os.path.join(ROOT, "deploy", "observability")
TOKEN = "observability-e2e-metrics-token"
METRIC = re.compile(r"\bauthd_[a-z0-9_]+")


def expect(condition, message):
    if not condition:
        raise AssertionError(message)


def run(*args, timeout=120):
    result = subprocess.run(args, capture_output=True, text=True, timeout=timeout)
    expect(result.returncode == 0, f"{' '.join(args)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def load_yaml(name):
    with open(os.path.join(DEPLOY, name)) as f:
        return yaml.safe_load(f)


def rules():
    return [rule for group in load_yaml("alerts.yml")["groups"] for rule in group["rules"]]


def dashboard_queries():
    with open(os.path.join(DEPLOY, "authd-dashboard.json")) as f:
        dashboard = json.load(f)
    variables = {v["name"]: v for v in dashboard["templating"]["list"]}
    expect(variables.get("datasource", {}).get("type") == "datasource", "the data source is a variable")
    expect({"cluster", "node"} <= set(variables), "cluster and node variables")
    queries = []
    for panel in dashboard["panels"]:
        if panel["type"] == "row":
            continue
        expect(panel["datasource"]["uid"] == "${datasource}", f"panel {panel['title']} uses the datasource variable")
        for target in panel["targets"]:
            expect('instance=~"$node"' in target["expr"] and 'cluster=~"$cluster"' in target["expr"],
                   f"panel {panel['title']} filters by node and cluster: {target['expr']}")
            queries.append((panel["title"], target["expr"]))
    return queries


def cluster_metrics():
    with open(os.path.join(DEPLOY, "cluster-metrics.txt")) as f:
        return {line.strip() for line in f if line.strip() and not line.startswith("#")}


def promtool_checks():
    print("promtool: check config, check rules, test rules")
    run("promtool", "check", "config", "--syntax-only", os.path.join(DEPLOY, "prometheus.yml"))
    run("promtool", "check", "rules", os.path.join(DEPLOY, "alerts.yml"))
    run("promtool", "test", "rules", os.path.join(HERE, "alerts_test.yml"))

    names = {rule["alert"] for rule in rules()}
    with open(os.path.join(HERE, "alerts_test.yml")) as f:
        quiet = yaml.safe_load(f)["tests"][0]["alert_rule_test"]
    expect({t["alertname"] for t in quiet} == names and all(t["exp_alerts"] == [] for t in quiet),
           f"the quiet-server test names every alert: missing {names - {t['alertname'] for t in quiet}}")

    with open(os.path.join(ROOT, "docs", "operations.md")) as f:
        anchors = {re.sub(r"[^a-z0-9 -]", "", line.lstrip("#").strip().lower()).replace(" ", "-")
                   for line in f if line.startswith("#")}
    for rule in rules():
        url = rule["annotations"]["runbook_url"]
        expect(url.startswith("docs/operations.md#") and url.split("#", 1)[1] in anchors,
               f"{rule['alert']}: runbook {url} is a heading of docs/operations.md")
        expect(rule["labels"]["severity"] in ("critical", "warning", "info"), f"{rule['alert']}: severity")


def families(text):
    """{name: type} of the # TYPE lines and the names with a # HELP line."""
    types, helped = {}, set()
    for line in text.splitlines():
        parts = line.split(" ", 3)
        if len(parts) >= 4 and parts[0] == "#" and parts[1] == "TYPE":
            types[parts[2]] = parts[3]
        if len(parts) >= 4 and parts[0] == "#" and parts[1] == "HELP" and parts[3].strip():
            helped.add(parts[2])
    return types, helped


def base_name(name, types):
    """The family of a histogram's series (`_bucket`, `_count`, `_sum`), else the name."""
    for suffix in ("_bucket", "_count", "_sum"):
        base = name.removesuffix(suffix)
        if base != name and (types.get(base) == "histogram" or base in cluster_metrics()):
            return base
    return name


def check_metric_names(text):
    types, helped = families(text)
    expect(set(types) <= helped, f"exported without # HELP: {sorted(set(types) - helped)}")
    cluster = cluster_metrics()
    used = {}
    for rule in rules():
        for name in METRIC.findall(rule["expr"]):
            used.setdefault(base_name(name, types), f"rule {rule['alert']}")
    for title, expr in dashboard_queries():
        for name in METRIC.findall(expr):
            used.setdefault(base_name(name, types), f"panel {title}")
    missing = {name: where for name, where in used.items() if name not in types and name not in cluster}
    expect(not missing, f"used but not on /metrics of a single node: {missing}")
    stray = sorted(name for name in cluster if name in types)
    expect(not stray, f"cluster-metrics.txt lists metrics a single node exports: {stray}")
    unused = sorted(cluster - set(used))
    expect(not unused, f"cluster-metrics.txt lists metrics no rule or panel uses: {unused}")
    print(f"metrics: {len(used)} names used by rules and dashboard, {len(used) - len(cluster & set(used))} on a single node, all with # HELP")


class Prometheus:
    def __init__(self, authd_port, workdir):
        self.port = free_port()
        self.workdir = workdir
        token_file = os.path.join(workdir, "metrics-token")
        with open(token_file, "w") as f:
            f.write(TOKEN)
        os.chmod(token_file, 0o600)
        config = load_yaml("prometheus.yml")
        config["global"]["scrape_interval"] = "1s"
        config["global"]["evaluation_interval"] = "1s"
        config["rule_files"] = [os.path.join(DEPLOY, name) for name in config["rule_files"]]
        job = next(j for j in config["scrape_configs"] if j["job_name"] == "authd")
        job["authorization"]["credentials_file"] = token_file
        job["static_configs"] = [{"targets": [f"127.0.0.1:{authd_port}"], "labels": {"cluster": "e2e"}}]
        self.config = os.path.join(workdir, "prometheus.yml")
        with open(self.config, "w") as f:
            yaml.safe_dump(config, f)
        self.proc = None

    def start(self):
        run("promtool", "check", "config", self.config)
        self.log = open(os.path.join(self.workdir, "prometheus.log"), "wb")
        self.proc = subprocess.Popen(
            ["prometheus", f"--config.file={self.config}", f"--storage.tsdb.path={os.path.join(self.workdir, 'tsdb')}",
             f"--web.listen-address=127.0.0.1:{self.port}"],
            stdout=self.log, stderr=subprocess.STDOUT)
        wait_for(self.ready, "Prometheus ready", timeout=60)
        return self

    def ready(self):
        expect(self.proc.poll() is None, "prometheus exited: " + self.output()[-3000:])
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/-/ready", timeout=5) as r:
                return r.status == 200
        except OSError:
            return False

    def output(self):
        with open(os.path.join(self.workdir, "prometheus.log"), "rb") as f:
            return f.read().decode("utf-8", "replace")

    def api(self, path, **params):
        url = f"http://127.0.0.1:{self.port}/api/v1/{path}"
        if params:
            url += "?" + urllib.parse.urlencode(params)
        try:
            with urllib.request.urlopen(url, timeout=10) as r:
                return json.load(r)
        except urllib.error.HTTPError as error:
            return json.load(error)

    def query(self, expr):
        return self.api("query", query=expr)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc:
            self.log.close()


def grafana_expr(expr):
    """A dashboard query as Grafana sends it with every node and cluster selected."""
    return (expr.replace("$__rate_interval", "20s").replace("$__range", "5m").replace("$__interval", "20s")
            .replace("$cluster", ".*").replace("$node", ".*"))


def traffic(server):
    """A replay, a lockout, a short bench load and a snapshot."""
    s, _, _ = server.request("POST", "/v1/auth/register",
                             {"name": "Obs Erver", "email": "obs@example.com", "password": "correct-horse"})
    expect(s == 201, f"register {s}")
    s, _, grant = server.request("POST", "/v1/auth/sessions", {"email": "obs@example.com", "password": "correct-horse"})
    expect(s == 200, f"login {s}")
    first = grant["refreshToken"]
    s, _, _ = server.request("POST", "/v1/auth/tokens/refresh", {"refreshToken": first})
    expect(s == 200, f"refresh {s}")
    s, _, answer = server.request("POST", "/v1/auth/tokens/refresh", {"refreshToken": first})
    expect(s == 401 and answer["error"]["code"] == "REFRESH_TOKEN_REUSED", f"replay {s} {answer}")
    for _ in range(3):
        server.request("POST", "/v1/auth/sessions", {"email": "victim@example.com", "password": "wrong-password"})
    s, _, _ = server.request("POST", "/v1/auth/sessions", {"email": "victim@example.com", "password": "wrong-password"})
    expect(s == 429, f"locked account {s}")
    run(os.path.join(BIN, "bench"), "mixed", "--url", f"http://127.0.0.1:{server.port}", "-c", "4", "-t", "1",
        "-d", "4", "--warmup", "1", "--no-progress", "--mix", "me=60,refresh=25,login=5,register=5,health=5")
    run(os.path.join(BIN, "authd"), "snapshot", "--data-dir", server.data_dir)


def main():
    for tool in ("promtool", "prometheus"):
        expect(shutil.which(tool), f"{tool} not found: install the Debian package prometheus (make deps)")
    promtool_checks()

    workdir = tempfile.mkdtemp(prefix="authd-observability-")
    server = Server(BIN, env={"METRICS_ENABLED": "true", "METRICS_AUTH_TOKEN": TOKEN, "LOGIN_MAX_ATTEMPTS": "3",
                              "LOG_LEVEL": "warn"}).start()
    prometheus = None
    try:
        prometheus = Prometheus(server.port, workdir).start()

        def scraped_twice():
            result = prometheus.query('count_over_time(up{job="authd"}[1m])')["data"]["result"]
            targets = prometheus.api("targets")["data"]["activeTargets"]
            return result and float(result[0]["value"][1]) >= 2 and all(t["health"] == "up" for t in targets)
        wait_for(scraped_twice, "two scrapes of authd with the bearer token", timeout=60, every=0.25)

        traffic(server)
        time.sleep(3)  # a few more scrapes and rule evaluations after the load

        s, _, text = server.request("GET", "/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
        expect(s == 200, f"metrics {s}")
        check_metric_names(text)

        loaded = [r for g in prometheus.api("rules")["data"]["groups"] for r in g["rules"]]
        expect(len(loaded) == len(rules()), f"Prometheus loaded {len(loaded)} of {len(rules())} rules")
        bad = [(r["name"], r.get("lastError")) for r in loaded if r["health"] != "ok"]
        expect(not bad, f"rules failing to evaluate: {bad}")
        for rule in rules():
            answer = prometheus.query(rule["expr"])
            expect(answer["status"] == "success", f"rule {rule['alert']}: {answer.get('error')}")

        cluster = cluster_metrics()
        empty = []
        queries = dashboard_queries()
        for title, expr in queries:
            answer = prometheus.query(grafana_expr(expr))
            expect(answer["status"] == "success", f"panel {title}: {expr}: {answer.get('error')}")
            cluster_only = all(base_name(n, {}) in cluster for n in METRIC.findall(expr))
            if not answer["data"]["result"] and not cluster_only:
                empty.append(f"{title}: {expr}")
        expect(not empty, "dashboard queries without a series:\n  " + "\n  ".join(empty))
        print(f"prometheus: {len(loaded)} rules healthy, {len(queries)} dashboard queries parse, the single-node ones return series")

        def replay_alert():
            alerts = prometheus.api("alerts")["data"]["alerts"]
            return [a for a in alerts if a["labels"]["alertname"] == "AuthdRefreshReplayDetected" and a["state"] == "firing"]
        wait_for(replay_alert, "AuthdRefreshReplayDetected firing after the replay", timeout=30, every=0.25)
        states = sorted({f'{a["labels"]["alertname"]} ({a["state"]})' for a in prometheus.api("alerts")["data"]["alerts"]})
        print(f"alerts after the load: {', '.join(states)}")
        # A single node is a leader of one: no rule of the cluster group may even be pending for it.
        cluster_rules = {r["name"] for g in prometheus.api("rules")["data"]["groups"] if g["name"] == "authd-cluster"
                         for r in g["rules"]}
        wrong = sorted(s for s in states if s.split(" ")[0] in cluster_rules)
        expect(cluster_rules and not wrong, f"cluster alerts on a single node: {wrong}")
        print("observability: OK")
    except BaseException:
        if prometheus:
            print(prometheus.output()[-3000:], file=sys.stderr)
        print(server.output()[-3000:], file=sys.stderr)
        raise
    finally:
        if prometheus:
            prometheus.stop()
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
