"""Runs schemathesis against the live server's own /docs.json: every operation, generated
valid and invalid requests, all checks (status codes and response bodies as documented,
no 5xx, invalid input rejected). Exits non-zero on any failure.

Usage: python3 schemathesis_run.py BIN_DIR
"""
import os
import shutil
import subprocess
import sys

from authd_process import Server

BIN = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else ".build/debug")


def main():
    st = shutil.which("schemathesis") or shutil.which("st")
    if st is None:
        print("schemathesis is not installed: 0 passed, 1 failed")
        return 1
    server = Server(BIN, env={"METRICS_ENABLED": "true"}).start()
    try:
        # A real user and token so authenticated operations get past the bearer check too.
        server.request("POST", "/v1/auth/register", {"name": "Schema Tester", "email": "schema@example.com", "password": "password123"})
        _, _, grant = server.request("POST", "/v1/auth/sessions", {"email": "schema@example.com", "password": "password123"})
        url = f"http://127.0.0.1:{server.port}/docs.json"
        cmd = [st, "run", url, "--checks", "all", "--max-examples", os.environ.get("SCHEMATHESIS_EXAMPLES", "40"),
               "--header", f"Authorization: Bearer {grant['accessToken']}", "--request-timeout", "10", "--no-color"]
        print(" ".join(cmd[:3]) + " ...", flush=True)
        result = subprocess.run(cmd, timeout=900)
        ok = result.returncode == 0
        print(f"{1 if ok else 0} passed, {0 if ok else 1} failed")
        return result.returncode
    finally:
        server.stop()


if __name__ == "__main__":
    sys.exit(main())
