"""N copies of the app behind nginx, each visitor kept on one copy by a cookie.

    python -m deploy.replicas --replicas 2                 # http://127.0.0.1:8080, until Ctrl+C
    python -m deploy.replicas --replicas 2 --cores 0 1     # pin replica k to core k (taskset), for benchmarks
    python -m deploy.replicas --print-config --replicas 4  # just the nginx config, to copy to a real server

Why a cookie: each visitor's game, taught examples and pictures live in gr.State, in the memory of the process
that served them, and the page makes many requests per visit (the page, /config, uploads, /queue/join, the
SSE stream /queue/data). Open-source nginx has no `sticky` directive, so the config hashes a `visitor` cookie
(`hash ... consistent`): the first response sets it to nginx's request id, and the browser sends it back on every
later request, uploads and event streams included. Nothing else is needed on the app's side.

Writes nginx.conf into a temporary folder (logs there too), starts `python app.py` N times on free loopback
ports and nginx in the foreground, and stops them all on Ctrl+C or SIGTERM. Needs nginx (Debian: apt-get install
nginx-light or nginx); nginx's own service need not run.
"""
from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.bench_app import free_port, wait_for_port

ROOT = Path(__file__).resolve().parents[1]
COOKIE = "visitor"
TEMPLATE = Path(__file__).with_name("nginx.conf.template")


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if Path(p).exists()), None)


def nginx_config(listen: str, replicas: list[str], workdir: Path) -> str:
    """nginx.conf for `replicas` ("host:port") behind `listen` ("host:port"), temp files and logs in `workdir`."""
    servers = "\n".join(f"        server {address};" for address in replicas)
    return TEMPLATE.read_text().replace("@WORKDIR@", str(workdir)).replace("@LISTEN@", listen) \
        .replace("@SERVERS@", servers).replace("@COOKIE@", COOKIE)


@dataclass
class Replicas:
    """The running set: nginx in front, one app process per replica; use as a context manager."""
    count: int = 2
    port: int = 8080
    cores: list[int] | None = None
    app_command: list[str] = field(default_factory=lambda: ["app.py"])
    workdir: Path | None = None
    processes: list[subprocess.Popen] = field(default_factory=list)
    ports: list[int] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def start(self, timeout: float = 180.0) -> "Replicas":
        nginx = nginx_binary()
        if nginx is None:
            raise FileNotFoundError("nginx is not installed (Debian: apt-get install nginx-light)")
        self.workdir = Path(tempfile.mkdtemp(prefix="replicas_"))
        self.ports = [free_port() for _ in range(self.count)]
        for number, port in enumerate(self.ports):
            self.processes.append(self._start_app(number, port))
        config = self.workdir / "nginx.conf"
        config.write_text(nginx_config(f"127.0.0.1:{self.port}", [f"127.0.0.1:{p}" for p in self.ports],
                                       self.workdir))
        # -e: the error log before the config is read (the Debian default /var/log/nginx may not be writable)
        self.processes.append(subprocess.Popen([nginx, "-c", str(config), "-p", str(self.workdir), "-e",
                                                str(self.workdir / "error.log"), "-g", "daemon off;"],
                                               stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT))
        for port, process in zip([*self.ports, self.port], self.processes):
            if not wait_for_port(port, process, timeout):
                self.stop()
                raise RuntimeError(f"port {port} did not open in {timeout:.0f} s; logs in {self.workdir}")
        return self

    def _start_app(self, number: int, port: int) -> subprocess.Popen:
        env = dict(os.environ, GRADIO_SERVER_PORT=str(port), GRADIO_SERVER_NAME="127.0.0.1",
                   GRADIO_ANALYTICS_ENABLED="False", PYTHONUNBUFFERED="1")
        command = [sys.executable, *self.app_command]
        if self.cores:
            core = self.cores[number % len(self.cores)]
            command = ["taskset", "-c", str(core), *command]
            env.update(OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")  # one core each: no oversubscribed BLAS pools
        log = open(self.workdir / f"replica_{number}.log", "w")
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)

    def app_pids(self) -> list[int]:
        return [p.pid for p in self.processes[:self.count]]

    def stop(self) -> None:
        for process in reversed(self.processes):  # nginx first, so no visitor reaches a stopping replica
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        self.processes.clear()

    def __enter__(self) -> "Replicas":
        return self.start()

    def __exit__(self, *_exc) -> None:
        self.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--replicas", type=int, default=2, help="app processes behind nginx (default 2)")
    parser.add_argument("--port", type=int, default=8080, help="nginx listens on 127.0.0.1:PORT (default 8080)")
    parser.add_argument("--cores", type=int, nargs="+", default=None,
                        help="pin replica k to core cores[k %% len] with taskset (default: no pinning)")
    parser.add_argument("--print-config", action="store_true",
                        help="print the nginx config for --replicas copies on ports 7861.. and exit")
    args = parser.parse_args()
    if args.print_config:
        print(nginx_config(f"0.0.0.0:{args.port}", [f"127.0.0.1:{7861 + k}" for k in range(args.replicas)],
                           Path("/var/lib/nginx")))
        return
    replicas = Replicas(count=args.replicas, port=args.port, cores=args.cores)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    with replicas:
        print(f"{args.replicas} replicas on ports {replicas.ports} behind nginx: {replicas.url}  "
              f"(logs in {replicas.workdir}; Ctrl+C stops all)", flush=True)
        try:
            while all(p.poll() is None for p in replicas.processes):
                time.sleep(1)
            print("a process exited; stopping the rest (see the logs)", file=sys.stderr)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
