"""Driver of scripts/bench-census-import (see there). Talks HTTP to a real release server."""
import json, os, subprocess, sys, time, urllib.request, uuid

BIN = "target/release/urbangrid"
PG = os.environ.get("PGURL", "postgres://postgres@127.0.0.1:5432")
PASSWORD = "Bench-Users-2026!"


def call(base, method, path, token=None, body=None, content_type="application/json"):
    data = body if isinstance(body, (bytes, type(None))) else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method)
    if token:
        req.add_header("authorization", f"Bearer {token}")
    if data is not None:
        req.add_header("content-type", content_type)
    with urllib.request.urlopen(req, timeout=600) as r:
        return json.loads(r.read() or b"null")


def psql(sql):
    subprocess.run(["psql", f"{PG}/postgres", "-qc", sql], check=True, capture_output=True)


def vm_hwm_mb(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmHWM"):
            return int(line.split()[1]) / 1024
    return 0.0


def run(workdir, backend, size):
    port = 18900 + (size % 97)
    data = os.path.join(workdir, f"data-{backend}-{size}")
    env = dict(os.environ, URBANGRID_JWT_SECRET="bench-secret-bench-secret-bench-secret-0123",
               URBANGRID_DEMO_PASSWORD=PASSWORD, URBANGRID_ADMIN_PASSWORD=PASSWORD,
               URBANGRID_DEMO_SCALE="small", RUST_LOG="warn")
    db = None
    if backend == "postgres":
        db = f"ug_bench_{uuid.uuid4().hex[:8]}"
        psql(f"CREATE DATABASE {db}")
        env["DATABASE_URL"] = f"{PG}/{db}"
    server = subprocess.Popen([BIN, "serve", "--demo", "--bind", f"127.0.0.1:{port}", "--data-dir", data], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                call(base, "GET", "/healthz")
                break
            except Exception:
                time.sleep(0.1)
        city = call(base, "POST", "/api/v1/auth/login", body={"tenant_code": "320100", "username": "admin", "password": PASSWORD})["access_token"]
        call(base, "POST", "/api/v1/tenants/320100/children", city,
             {"code": "320116", "name": "六合区", "admin": {"username": "admin", "display_name": "六合区管理员", "password": PASSWORD}})
        token = call(base, "POST", "/api/v1/auth/login", body={"tenant_code": "320116", "username": "admin", "password": PASSWORD})["access_token"]
        grids = open(os.path.join(workdir, f"set-{size}", "grids.geojson"), "rb").read()
        t = time.time()
        report = call(base, "POST", "/api/v1/tenants/320116/grids/import", token, grids, "application/geo+json")
        grid_secs = time.time() - t
        csv = open(os.path.join(workdir, f"set-{size}", "components.csv"), "rb").read()
        job = call(base, "POST", "/api/v1/tenants/320116/census/imports?mode=partial", token, csv, "text/csv")
        while job["status"] in ("queued", "running"):
            time.sleep(0.5)
            job = call(base, "GET", f"/api/v1/tenants/320116/census/imports/{job['id']}", token)
        parse = lambda s: time.mktime(time.strptime(s[:19], "%Y-%m-%dT%H:%M:%S")) + float("0." + (s[20:].rstrip("Z") or "0"))
        secs = parse(job["finished_at"]) - parse(job["started_at"])
        return {"backend": backend, "rows": size, "written": job["rows_written"], "failed": job["rows_failed"],
                "seconds": round(secs, 1), "rows_per_sec": round(size / secs), "peak_mb": round(vm_hwm_mb(server.pid)),
                "grids": report["written"], "grid_import_s": round(grid_secs, 1), "status": job["status"]}
    finally:
        server.terminate()
        server.wait()
        if db:
            psql(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")


def main():
    workdir, backends, sizes = sys.argv[1], sys.argv[2].split(), [int(s) for s in sys.argv[3].split()]
    print(f"machine: {os.cpu_count()} cores; " + open("/proc/cpuinfo").read().split("model name")[1].split("\n")[0].strip(": "))
    print("| backend | rows | written | failed | seconds | rows/s | server peak memory (MB) |")
    print("|---|---|---|---|---|---|---|")
    for b in backends:
        for s in sizes:
            r = run(workdir, b, s)
            print(f"| {r['backend']} | {r['rows']:,} | {r['written']:,} | {r['failed']} | {r['seconds']} | {r['rows_per_sec']:,} | {r['peak_mb']} |", flush=True)


main()
