#!/usr/bin/python3
"""Runs the staged ping service as the image would, and calls it.

  run_staged.py DOCKERFILE STAGE_DIR RUN_PAIR_SH

STAGE_DIR is what examples/ping/deploy/build.sh staged (the ctest
deploy_build). The server is the program the Dockerfile's CMD names, mapped
into STAGE_DIR, with LD_LIBRARY_PATH as the final stage's ENV sets it and
nothing else of the build tree; tests/examples/run_pair.sh gives it PORT (a
free loopback port), calls it with the staged ping_client, sends SIGTERM and
expects exit 0.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dockerfile  # noqa: E402


def main(argv):
    if len(argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    path, stage_dir, run_pair = argv[1:]
    image = dockerfile.Image(path)
    if image.problems:
        for p in image.problems:
            print(f"{path}: {p}", file=sys.stderr)
        return 1
    stage_dir = os.path.abspath(stage_dir)
    server = image.server(stage_dir)
    if len(image.command) != 1:
        print(f"{path}: CMD has arguments; run_pair.sh passes none", file=sys.stderr)
        return 1
    client = os.path.join(stage_dir, "bin", "ping_client")
    env = dict(os.environ, LD_LIBRARY_PATH=image.library_path(stage_dir))
    env.pop("K_REVISION", None)
    message = "hello from the staged image"
    print(f"server {server} (CMD {image.command[0]}), "
          f"LD_LIBRARY_PATH={env['LD_LIBRARY_PATH']}", flush=True)
    argv = ["/bin/bash", run_pair, "--expect", f'message="{message}"',
            server, client, message]
    os.execve(argv[0], argv, env)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
