#!/usr/bin/python3
"""Checks examples/ping/Dockerfile against what the tree builds.

  check_dockerfile.py shape DOCKERFILE PING_SERVER_C
  check_dockerfile.py packages DOCKERFILE STAGE_DIR

shape: Debian 12 stages; the build stage runs examples/ping/deploy/build.sh
once and the final stage copies its prefix; the final stage has no build
tools, a numeric non-root USER, PORT and EXPOSE equal to the server's default
port, LD_LIBRARY_PATH on the copied lib directory, and an exec-form CMD
naming a program of the prefix.

packages (after deploy_build staged STAGE_DIR with the same script): the
packages the final stage installs are exactly those that own the libraries
ldd resolves for every staged file, with LD_LIBRARY_PATH as the image sets
it (dpkg -S; a library the prefix holds needs no package). Exits 77 (skip)
without ldd or dpkg.
"""
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dockerfile  # noqa: E402

BUILD_ONLY = ("build-essential", "cmake", "pkg-config", "gcc", "g++",
              "protobuf-compiler", "protobuf-c-compiler", "grpc-proto")


def check_shape(path, ping_server_c):
    port, _ = dockerfile.server_constants(ping_server_c)
    image = dockerfile.Image(path)
    problems = list(image.problems)
    if image.problems and not hasattr(image, "final"):
        return problems
    if image.build.base != "debian:12" or image.build.name is None:
        problems.append(f"build stage: FROM debian:12 AS <name>, not {image.build.base}")
    if image.final.base != "debian:12-slim":
        problems.append(f"final stage: FROM debian:12-slim, not {image.final.base}")

    for package in dockerfile.apt_packages(image.final):
        if package.endswith("-dev") or package in BUILD_ONLY:
            problems.append(f"final stage installs the build package {package}")

    users = image.final.args("USER")
    user = users[-1].split(":")[0] if users else ""
    if not user.isdigit() or int(user) == 0:
        problems.append(f"final stage: USER should be a numeric non-root uid, not {user!r}")

    exposed = [w for arg in image.final.args("EXPOSE") for w in arg.split()]
    if exposed != [str(port)] and exposed != [f"{port}/tcp"]:
        problems.append(f"EXPOSE {exposed}, the server's default port is {port}")
    if image.env.get("PORT") != str(port):
        problems.append(f"ENV PORT={image.env.get('PORT')}, the server's default is {port}")

    if image.dest and image.command:
        try:
            lib = image.library_path("/STAGE")
        except ValueError as e:
            problems.append(f"LD_LIBRARY_PATH: {e}")
        else:
            if "/STAGE/lib" not in lib.split(":"):
                problems.append(f"LD_LIBRARY_PATH lacks {image.dest}/lib")
        try:
            server = image.server("/STAGE")
        except ValueError as e:
            problems.append(f"CMD: {e}")
        else:
            if server != "/STAGE/bin/ping_server":
                problems.append(f"CMD runs {image.command[0]}, not {image.dest}/bin/ping_server")
    return problems


def candidates(library):
    """Paths under which dpkg may know `library` (a path ldd printed): the
    path and its target, each also with /usr added or removed (merged
    /usr: dpkg knows a file by the path its package used)."""
    paths = []
    for p in (library, os.path.realpath(library)):
        paths += [p, p[len("/usr"):] if p.startswith("/usr/") else "/usr" + p]
    return list(dict.fromkeys(paths))


def owners(libraries):
    """{library: Debian package or None}, with one dpkg -S for all."""
    wanted = {lib: candidates(lib) for lib in libraries}
    every = sorted({p for paths in wanted.values() for p in paths})
    out = subprocess.run(["dpkg", "-S"] + every, capture_output=True, text=True)
    known = {}
    for line in out.stdout.splitlines():
        if line.startswith("diversion by") or ": " not in line:
            continue
        packages, path = line.split(": ", 1)
        known[path] = packages.split(", ")[0].split(":")[0]
    return {lib: next((known[p] for p in paths if p in known), None)
            for lib, paths in wanted.items()}


def check_packages(path, stage_dir):
    if not shutil.which("ldd") or not shutil.which("dpkg"):
        print("skip: no ldd or dpkg")
        sys.exit(77)
    image = dockerfile.Image(path)
    if image.problems:
        return image.problems
    stage_dir = os.path.abspath(stage_dir)
    lib_path = image.library_path(stage_dir)
    files = sorted(os.path.join(d, f) for d, _, fs in os.walk(stage_dir) for f in fs)
    if not files:
        return [f"nothing staged in {stage_dir}"]

    problems = []
    loaded = {}  # library -> a staged file that loads it
    for f in files:
        out = subprocess.run(["ldd", f], capture_output=True, text=True,
                             env=dict(os.environ, LD_LIBRARY_PATH=lib_path))
        if out.returncode != 0:
            problems.append(f"ldd {f}: {out.stderr.strip()}")
            continue
        for line in out.stdout.splitlines():
            words = line.split()
            if "not found" in line:
                problems.append(f"{os.path.relpath(f, stage_dir)}: {line.strip()}")
                continue
            if len(words) >= 3 and words[1] == "=>":
                library = words[2]
            elif words and words[0].startswith("/"):
                library = words[0]  # the dynamic loader
            else:
                continue  # linux-vdso
            if os.path.realpath(library).startswith(stage_dir + "/"):
                continue  # copied into the image with the prefix
            loaded.setdefault(library, f)

    needed = {}  # package -> a library that needs it
    for library, package in sorted(owners(loaded).items()):
        if package is None:
            problems.append(f"no Debian package owns {library}")
        else:
            needed.setdefault(package, library)

    named = set(dockerfile.apt_packages(image.final))
    for package in sorted(set(needed) - named):
        problems.append(f"the final stage lacks {package} (for {needed[package]})")
    for package in sorted(named - set(needed)):
        problems.append(f"the final stage installs {package}, which no staged file loads")
    if not problems:
        print("final stage packages = ldd's owners:", " ".join(sorted(named)))
    return problems


def main(argv):
    if len(argv) != 4 or argv[1] not in ("shape", "packages"):
        print(__doc__, file=sys.stderr)
        return 2
    mode, path, other = argv[1:]
    problems = check_shape(path, other) if mode == "shape" else check_packages(path, other)
    for p in problems:
        print(f"{path}: {p}", file=sys.stderr)
    if not problems:
        print(f"{path}: {mode} OK")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
