"""The MediaPipe web files the camera runs (ui/static/mediapipe/): which ones, their sha256, and how to re-fetch them.

    python -m ui.mediapipe_web            # check the shipped files against SHA256SUMS
    python -m ui.mediapipe_web --fetch    # download the npm tarball of @mediapipe/tasks-vision, verify, unpack

The files come unchanged from the npm package `@mediapipe/tasks-vision` (Apache-2.0, Google; LICENSE beside them):
the ES module bundle and the SIMD WebAssembly build (its loader and binary). Only the SIMD build is shipped:
every browser that runs the rest of the page has WebAssembly SIMD (Chrome 91, Firefox 89, Safari 16.4), and the
page says in words when it is missing; the no-SIMD build would add 12 MB for no visitor we know of. The npm
package carries no LICENSE file of its own, so LICENSE is Apache-2.0's text as google/mediapipe ships it.
"""
from __future__ import annotations

import argparse
import hashlib
import io
import json
import sys
import tarfile
import urllib.request
from pathlib import Path

PACKAGE, VERSION = "@mediapipe/tasks-vision", "1.1.0"
REGISTRY = "https://registry.npmjs.org"
FOLDER = Path(__file__).resolve().parent / "static" / "mediapipe"
SUMS = FOLDER / "SHA256SUMS"
# shipped name -> path inside the npm tarball
FILES = {
    "vision_bundle.mjs": "package/vision_bundle.mjs",
    "vision_wasm_internal.js": "package/wasm/vision_wasm_internal.js",
    "vision_wasm_internal.wasm": "package/wasm/vision_wasm_internal.wasm",
}


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def expected_sums() -> dict[str, str]:
    """name -> sha256, from SHA256SUMS (the `sha256sum` format)."""
    sums = {}
    for line in SUMS.read_text().splitlines():
        if line.strip():
            digest, name = line.split(maxsplit=1)
            sums[name.lstrip("*")] = digest
    return sums


def mismatches(folder: Path = FOLDER) -> list[str]:
    """Shipped files that are missing or differ from SHA256SUMS (empty: all good)."""
    wrong = []
    for name, digest in expected_sums().items():
        path = folder / name
        if not path.is_file() or sha256(path.read_bytes()) != digest:
            wrong.append(name)
    return wrong


def tarball_url() -> str:
    with urllib.request.urlopen(f"{REGISTRY}/{PACKAGE}/{VERSION}", timeout=30) as response:
        return json.load(response)["dist"]["tarball"]


def fetch(folder: Path = FOLDER) -> None:
    """Download the package's tarball from the npm registry, check each file's sha256, then write them."""
    with urllib.request.urlopen(tarball_url(), timeout=120) as response:
        archive = tarfile.open(fileobj=io.BytesIO(response.read()), mode="r:gz")
    sums = expected_sums()
    contents = {name: archive.extractfile(member).read() for name, member in FILES.items()}
    for name, data in contents.items():
        if sha256(data) != sums[name]:
            raise SystemExit(f"{name} from the npm tarball does not match SHA256SUMS: not writing anything.")
    for name, data in contents.items():
        (folder / name).write_bytes(data)
        print(f"wrote {folder / name} ({len(data):,} bytes, sha256 ok)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fetch", action="store_true", help=f"re-download {PACKAGE}@{VERSION} from {REGISTRY}")
    args = parser.parse_args()
    if args.fetch:
        fetch()
    wrong = mismatches()
    print("all shipped files match SHA256SUMS" if not wrong else f"missing or changed: {', '.join(wrong)}")
    sys.exit(1 if wrong else 0)


if __name__ == "__main__":
    main()
