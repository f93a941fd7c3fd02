"""What the deploy tests read from examples/ping/Dockerfile and ping_server.c.

A small reader for the Dockerfile forms the ping image uses (no parser
directives, no heredocs): continuation lines joined, comments dropped,
instructions grouped by stage. Standard library only.
"""
import json
import re
import shlex


class Stage:
    def __init__(self, base, name):
        self.base = base
        self.name = name
        self.instructions = []  # (KEYWORD, argument text)

    def args(self, keyword):
        return [a for k, a in self.instructions if k == keyword]


def read_stages(path):
    lines = []
    pending = ""
    with open(path) as f:
        for raw in f:
            line = raw.rstrip("\n")
            if line.lstrip().startswith("#"):
                continue  # comments, also inside a continued instruction
            if line.endswith("\\"):
                pending += line[:-1] + " "
                continue
            pending += line
            if pending.strip():
                lines.append(pending.strip())
            pending = ""
    if pending.strip():
        lines.append(pending.strip())

    stages = []
    for line in lines:
        keyword, _, rest = line.partition(" ")
        keyword = keyword.upper()
        rest = " ".join(rest.split())
        if keyword == "FROM":
            words = rest.split()
            name = words[2] if len(words) == 3 and words[1].upper() == "AS" else None
            stages.append(Stage(words[0], name))
        elif not stages:
            raise ValueError(f"{path}: {keyword} before the first FROM")
        else:
            stages[-1].instructions.append((keyword, rest))
    return stages


def apt_packages(stage):
    """Every package an `apt-get install` of the stage's RUN lines names."""
    packages = []
    for run in stage.args("RUN"):
        for command in re.split(r"&&|;|\|\|", run):
            words = shlex.split(command)
            if len(words) >= 2 and words[0] == "apt-get" and "install" in words:
                after = words[words.index("install") + 1:]
                packages += [w for w in after if not w.startswith("-")]
    return packages


def env(stage):
    """ENV KEY=VALUE lines (the form the image uses) as a dict."""
    values = {}
    for arg in stage.args("ENV"):
        for word in shlex.split(arg):
            key, sep, value = word.partition("=")
            if not sep:
                raise ValueError(f"ENV {arg}: only the KEY=VALUE form is read")
            values[key] = value
    return values


def exec_form(arg):
    """The argument vector of an exec-form CMD/ENTRYPOINT, or None."""
    try:
        value = json.loads(arg)
    except ValueError:
        return None
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return value
    return None


def copies_from(stage, source_stage):
    """(source, destination) of each `COPY --from=<source_stage>`."""
    pairs = []
    for arg in stage.args("COPY"):
        words = arg.split()
        if f"--from={source_stage}" in words:
            paths = [w for w in words if not w.startswith("--")]
            pairs.append((paths[0], paths[-1]))
    return pairs


def server_constants(ping_server_c):
    """The default port and the drain grace (ms) that ping_server.c uses."""
    with open(ping_server_c) as f:
        text = f.read()
    port = re.search(r"grpc_c_port_from_env\(\s*(\d+)\s*\)", text)
    grace = re.search(r"^#define\s+GRACE_MS\s+(\d+)\s*$", text, re.M)
    if not port or not grace:
        raise ValueError(f"{ping_server_c}: no grpc_c_port_from_env(N) or "
                         "#define GRACE_MS N")
    if not re.search(r"grpc_c_server_handle_signals\(\s*\w+\s*,\s*GRACE_MS\s*\)", text):
        raise ValueError(f"{ping_server_c}: the signal drain does not use GRACE_MS")
    return int(port.group(1)), int(grace.group(1))


BUILD_SCRIPT = "examples/ping/deploy/build.sh"


class Image:
    """The parts of the image the tests rely on, checked for consistency:
    the build stage runs BUILD_SCRIPT into a prefix, the final stage copies
    that prefix and runs a program from it with LD_LIBRARY_PATH inside it.
    `problems` lists what does not hold."""

    def __init__(self, path):
        self.problems = []
        self.stages = read_stages(path)
        if len(self.stages) < 2:
            self.problems.append("not a multi-stage build")
            return
        self.build, self.final = self.stages[0], self.stages[-1]

        runs = [r for r in self.build.args("RUN") if BUILD_SCRIPT in r]
        self.prefix = None
        if len(runs) != 1:
            self.problems.append(f"the build stage runs {BUILD_SCRIPT} "
                                 f"{len(runs)} times, not once")
        else:
            words = shlex.split(runs[0])
            at = [i for i, w in enumerate(words) if w.endswith(BUILD_SCRIPT)][0]
            script_args = words[at + 1:at + 4]
            if len(script_args) != 3 or any(a in ("&&", ";") for a in script_args):
                self.problems.append(f"{BUILD_SCRIPT} needs SOURCE BUILD PREFIX: {runs[0]}")
            else:
                self.prefix = script_args[2].rstrip("/")

        copies = copies_from(self.final, self.build.name)
        self.dest = None
        if len(copies) != 1:
            self.problems.append(f"the final stage should copy one thing from "
                                 f"stage {self.build.name!r}, not {len(copies)}")
        else:
            source, dest = (p.rstrip("/") for p in copies[0])
            if source != self.prefix:
                self.problems.append(f"the final stage copies {source}, "
                                     f"the script stages into {self.prefix}")
            self.dest = dest

        self.env = env(self.final)
        cmds = self.final.args("CMD")
        self.command = exec_form(cmds[-1]) if cmds else None
        if not self.command:
            self.problems.append("the final stage's CMD is not in exec form "
                                 "(a shell would take SIGTERM)")
        if self.final.args("ENTRYPOINT"):
            self.problems.append("an ENTRYPOINT in the final stage: CMD alone "
                                 "keeps the server PID 1")

    def in_stage(self, image_path, stage_dir):
        """Where a path of the image under the copied prefix is in a local
        stage directory built by the same script."""
        if not self.dest or not (image_path == self.dest or
                                 image_path.startswith(self.dest + "/")):
            raise ValueError(f"{image_path} is not under the copied {self.dest}")
        return stage_dir.rstrip("/") + image_path[len(self.dest):]

    def library_path(self, stage_dir):
        value = self.env.get("LD_LIBRARY_PATH", "")
        return ":".join(self.in_stage(p, stage_dir) for p in value.split(":") if p)

    def server(self, stage_dir):
        return self.in_stage(self.command[0], stage_dir)
