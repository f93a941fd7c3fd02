#!/usr/bin/python3
"""Checks the ping service's deploy manifests against the server.

  check_manifests.py PING_SERVER_C DEPLOY_MD MANIFEST.yaml...
  check_manifests.py --self-test PING_SERVER_C DEPLOY_MD MANIFEST.yaml...

Reads the server's default port and drain grace from ping_server.c
(grpc_c_port_from_env(N), #define GRACE_MS N) and checks every manifest:

* the container port is named h2c (HTTP/2 cleartext end to end) and is the
  server's default port; a Kubernetes Service forwards to it with
  appProtocol kubernetes.io/h2c;
* every probe is a gRPC probe of the health service ("", the whole server)
  on that port: startup and liveness on Knative and Cloud Run, readiness and
  liveness on Kubernetes;
* the time between SIGTERM and SIGKILL is strictly above the server's
  grace: terminationGracePeriodSeconds on Kubernetes, the fixed 10 s on
  Cloud Run, and on Knative the revision's timeoutSeconds (Knative's pod
  grace period) or, unset, the 10 s a manifest shared with Cloud Run gets;
* one image reference in all of them, and docs/deploy.md names it.

--self-test breaks the manifests in memory in each of those ways, one at a
time, and fails unless the check rejects every broken copy.
Needs python3-yaml (/usr/bin/python3).
"""
import copy
import os
import sys

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dockerfile  # noqa: E402

CLOUD_RUN_WINDOW_S = 10  # SIGTERM to SIGKILL on Cloud Run, not configurable
KNATIVE_UNSET_WINDOW_S = 10  # assumed when a Knative manifest sets no timeout
PROBES = {
    "knative": ("startupProbe", "livenessProbe"),
    "cloudrun": ("startupProbe", "livenessProbe"),
    "kubernetes": ("readinessProbe", "livenessProbe"),
}


def platform(name, documents):
    kinds = [(d.get("apiVersion"), d.get("kind")) for d in documents]
    if ("serving.knative.dev/v1", "Service") in kinds:
        annotations = documents[0].get("metadata", {}).get("annotations") or {}
        run = any(k.startswith("run.googleapis.com/") for k in annotations)
        return "cloudrun" if run or "cloudrun" in name else "knative"
    if ("apps/v1", "Deployment") in kinds:
        return "kubernetes"
    return None


def check_container(where, container, pod_spec, kind, port, problems):
    ports = container.get("ports") or []
    if [(p.get("name"), p.get("containerPort")) for p in ports] != [("h2c", port)]:
        problems.append(f"{where}: ports {ports}: want one, named h2c, "
                        f"containerPort {port}")
    for entry in container.get("env") or []:
        if entry.get("name") == "PORT" and str(entry.get("value")) != str(port):
            problems.append(f"{where}: env PORT={entry.get('value')}, want {port}")
    for probe_name in ("startupProbe", "readinessProbe", "livenessProbe"):
        probe = container.get(probe_name)
        if probe is None:
            if probe_name in PROBES[kind]:
                problems.append(f"{where}: no {probe_name}")
            continue
        others = {"httpGet", "tcpSocket", "exec"} & set(probe)
        grpc = probe.get("grpc")
        if others or not isinstance(grpc, dict):
            problems.append(f"{where}: {probe_name} is not a grpc probe")
            continue
        if grpc.get("port") != port:
            problems.append(f"{where}: {probe_name} grpc port {grpc.get('port')}, want {port}")
        if grpc.get("service", None) != "":
            problems.append(f"{where}: {probe_name} grpc service "
                            f"{grpc.get('service')!r}, want \"\" (the whole server)")


def check_one(name, documents, port, grace_ms, problems, images):
    kind = platform(name, documents)
    if kind is None:
        problems.append(f"{name}: neither a Knative Service nor a Deployment")
        return
    if kind == "kubernetes":
        deployment = next(d for d in documents if d.get("kind") == "Deployment")
        template = deployment["spec"]["template"]
    else:
        template = documents[0]["spec"]["template"]
    pod_spec = template["spec"]
    containers = pod_spec.get("containers") or []
    if len(containers) != 1:
        problems.append(f"{name}: {len(containers)} containers, want 1")
    for i, container in enumerate(containers):
        where = f"{name}: container {i}"
        images.setdefault(container.get("image"), []).append(name)
        check_container(where, container, pod_spec, kind, port, problems)

    if kind == "kubernetes":
        window = pod_spec.get("terminationGracePeriodSeconds")
        what = "terminationGracePeriodSeconds"
        if window is None:
            problems.append(f"{name}: no terminationGracePeriodSeconds")
            window = 0
        services = [d for d in documents if d.get("kind") == "Service"]
        if len(services) != 1:
            problems.append(f"{name}: {len(services)} Services, want 1")
        for service in services:
            labels = template.get("metadata", {}).get("labels") or {}
            selector = service["spec"].get("selector") or {}
            if not selector or any(labels.get(k) != v for k, v in selector.items()):
                problems.append(f"{name}: the Service selects {selector}, the pods are {labels}")
            ports = service["spec"].get("ports") or []
            good = [p for p in ports if p.get("name") == "h2c" and
                    p.get("appProtocol") == "kubernetes.io/h2c" and
                    p.get("targetPort") in ("h2c", port)]
            if len(ports) != 1 or not good:
                problems.append(f"{name}: Service ports {ports}: want one named h2c, "
                                f"appProtocol kubernetes.io/h2c, targetPort h2c or {port}")
    elif kind == "cloudrun":
        window, what = CLOUD_RUN_WINDOW_S, "Cloud Run's fixed window"
    else:
        window = pod_spec.get("timeoutSeconds")
        what = "timeoutSeconds (Knative's pod grace period)"
        if window is None:
            window, what = KNATIVE_UNSET_WINDOW_S, "the 10 s assumed without timeoutSeconds"
    if not window * 1000 > grace_ms:
        problems.append(f"{name}: {what} is {window} s, not above the server's "
                        f"{grace_ms} ms drain grace")


def check(manifests, port, grace_ms, deploy_md_text):
    problems, images = [], {}
    for name, documents in manifests.items():
        check_one(name, documents, port, grace_ms, problems, images)
    if len(images) != 1:
        problems.append(f"image references differ: {images}")
    for image in images:
        if image and image not in deploy_md_text:
            problems.append(f"docs/deploy.md does not name the image {image}")
    return problems


def breakages(manifests, port, grace_ms):
    """(what, manifests, grace_ms) for each way of breaking them."""
    def first_container(m, name):
        docs = m[name]
        doc = next(d for d in docs if d.get("kind") in ("Service", "Deployment")
                   and "template" in d.get("spec", {}))
        return doc["spec"]["template"]["spec"]["containers"][0]

    def pod(m, name):
        doc = next(d for d in m[name] if "template" in d.get("spec", {}))
        return doc["spec"]["template"]["spec"]

    names = {platform(n, d): n for n, d in manifests.items()}
    cases = []

    def case(what, name, change, grace=grace_ms):
        if name is None:
            return
        m = copy.deepcopy(manifests)
        change(m, name)
        cases.append((f"{what} ({name})", m, grace))

    for n in manifests:
        case("port named http1", n,
             lambda m, n: first_container(m, n)["ports"][0].update(name="http1"))
        case("containerPort 9090", n,
             lambda m, n: first_container(m, n)["ports"][0].update(containerPort=9090))
        case("liveness probe over TCP", n,
             lambda m, n: first_container(m, n).update(
                 livenessProbe={"tcpSocket": {"port": port}}))
        case("grpc probe on 9090", n,
             lambda m, n: first_container(m, n)["livenessProbe"]["grpc"].update(port=9090))
        case("grpc probe of one service", n,
             lambda m, n: first_container(m, n)["livenessProbe"]["grpc"].update(
                 service="ping.Ping"))
        case("another image", n,
             lambda m, n: first_container(m, n).update(image="example.com/other:1"))
        case("no liveness probe", n,
             lambda m, n: first_container(m, n).pop("livenessProbe"))
    case("no startup probe", names.get("cloudrun"),
         lambda m, n: first_container(m, n).pop("startupProbe"))
    case("no readiness probe", names.get("kubernetes"),
         lambda m, n: first_container(m, n).pop("readinessProbe"))
    case("env PORT 9090", names.get("kubernetes"),
         lambda m, n: first_container(m, n).update(env=[{"name": "PORT", "value": "9090"}]))
    case("termination grace equal to the drain", names.get("kubernetes"),
         lambda m, n: pod(m, n).update(terminationGracePeriodSeconds=grace_ms // 1000))
    case("Knative timeout below the drain", names.get("knative"),
         lambda m, n: pod(m, n).update(timeoutSeconds=max(1, grace_ms // 1000 - 1)))
    case("Service without appProtocol", names.get("kubernetes"),
         lambda m, n: next(d for d in m[n] if d.get("kind") == "Service")
         ["spec"]["ports"][0].pop("appProtocol"))
    case("a drain of Cloud Run's whole 10 s", names.get("cloudrun"),
         lambda m, n: None, grace=CLOUD_RUN_WINDOW_S * 1000)
    return cases


def main(argv):
    self_test = len(argv) > 1 and argv[1] == "--self-test"
    args = argv[2:] if self_test else argv[1:]
    if len(args) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    ping_server_c, deploy_md, paths = args[0], args[1], args[2:]
    port, grace_ms = dockerfile.server_constants(ping_server_c)
    with open(deploy_md) as f:
        deploy_md_text = f.read()
    manifests = {}
    for path in paths:
        with open(path) as f:
            manifests[os.path.basename(path)] = [d for d in yaml.safe_load_all(f) if d]
    print(f"server: default port {port}, drain grace {grace_ms} ms")

    problems = check(manifests, port, grace_ms, deploy_md_text)
    for p in problems:
        print(p, file=sys.stderr)
    if problems:
        return 1
    if not self_test:
        print(f"OK: {', '.join(manifests)}")
        return 0

    missed = 0
    for what, broken, grace in breakages(manifests, port, grace_ms):
        found = check(broken, port, grace, deploy_md_text)
        print(f"{'rejected' if found else 'MISSED  '}: {what}"
              + (f": {found[0]}" if found else ""))
        missed += not found
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
