"""Memory of a 1 GB upload and download of a conversation file, locally and on S3 (moto's server),
through the real upload views in a gunicorn process; benchmarks/README.md.

    .venv/bin/python benchmarks/upload_memory.py [--size-mib 1024] [--only local|s3] [--no-form]

For each storage, two gunicorns (sync, 1 worker) run the same code side by side: "idle" gets only the
warm-up, "load" gets the warm-up and then the transfers. The warm-up is a real sign-in and a 1 KiB
file sent and fetched through the same paths, so that both workers have imported and built everything
a transfer needs (boto3 included) before the baseline is read. The figure is the worker's peak
resident memory (VmHWM, /proc) after the transfers minus the same after the warm-up; the target is a
growth under 64 MiB. The idle worker's peak over the same time is reported beside it.

Transfers, each checked against the SHA-256 of the generated stream (no file of the repository):
  * resumable: POST then PATCH chunks of 8 MiB to messaging.uploads' views (the JavaScript path),
    scanned by the worker at completion (eager Celery, as in the embedded default);
  * form: the same size as one multipart POST to a view that calls api.receive_files (the no-JS
    path; --no-form leaves it out);
  * download: the streamed response locally; on S3 the presigned redirect, then the bytes from moto.

Exit status: 0 when every growth is under the target, 1 when one is not, 2 when something broke.
Needs: SQLite, moto[server] (the dev extra), about 3 × size of free disk under /tmp.
"""

import argparse
import hashlib
import http.client
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.run import free_port, gunicorn, log, sign_in, wait_for_port  # noqa: E402

MiB = 1024 * 1024
TARGET_GROWTH_MIB = 64
CHUNK = 8 * MiB
SIGN_IN_PATH = "/poste/sign-in/"
FILES_PATH = "/poste/messaging/files/"

SETTINGS = """
import os
os.environ.setdefault("SECRET_KEY", "upload-bench-only-key-never-deployed-0123456789-abcdefghijklmnop")
from portal.settings.base import *  # noqa
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1"]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.environ["UBENCH_DB"],
                         "ATOMIC_REQUESTS": False, "CONN_MAX_AGE": 0,
                         "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20}}}
TENANT_URLCONF = "ubench_urls"
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
if os.environ.get("UBENCH_S3"):
    STORAGES["uploads"] = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {
        "bucket_name": os.environ["UBENCH_BUCKET"], "endpoint_url": os.environ["UBENCH_S3"],
        "region_name": "us-east-1", "addressing_style": "path", "signature_version": "s3v4",
        "access_key": "bench", "secret_key": "bench", "default_acl": "private",
        "querystring_auth": True, "querystring_expire": 300, "file_overwrite": False, "location": "uploads"}}
else:
    STORAGES["uploads"] = {"BACKEND": "django.core.files.storage.FileSystemStorage",
                           "OPTIONS": {"location": os.environ["UBENCH_UPLOADS"], "base_url": None}}
"""

# The upload views mounted as the conversations mount them; two bench-only views stand in for the
# conversation pages that call the api: the no-JS post (receive_files) and the download (serve).
URLS = """
from django.http import Http404, JsonResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt

from messaging.uploads import api
from portal.urls_tenant import tenant_urlpatterns


def download(request, upload_id):
    upload = api.get_upload(tenant=request.tenant, upload_id=upload_id)
    if upload.owner_id != request.user.pk:
        raise Http404
    return api.serve(request, upload)


@csrf_exempt
def form_post(request):
    files = request.FILES.getlist("files")
    limits = api.Limits(max_total_bytes=4 * 1024**3)
    uploads = api.receive_files(tenant=request.tenant, owner=request.user, files=files, limits=limits)
    return JsonResponse({"ids": [str(u.pk) for u in uploads], "sha256": [u.sha256 for u in uploads]})


bench = [path("download/<uuid:upload_id>/", download), path("form/", form_post)]
urlpatterns = [
    path("messaging/", include(([path("files/", include("messaging.uploads.urls")),
                                 path("bench/", include(bench))], "messaging"))),
    *tenant_urlpatterns(),
]
"""


def generated(size: int):
    """The bytes of the test file, block by block: random-looking, each MiB numbered."""
    seed = hashlib.sha256(b"portail upload bench").digest() * (MiB // 32)
    sent = 0
    number = 0
    while sent < size:
        block = (number.to_bytes(8, "big") + seed[8:])[: size - sent]
        number += 1
        sent += len(block)
        yield block


def status_mib(pid: int, field: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field}")


def peak_rss_mib(pid: int) -> float:
    return status_mib(pid, "VmHWM")


def reset_peak(pid: int) -> float:
    """Start the peak from now (Linux: 5 in clear_refs resets VmHWM to VmRSS); returns the RSS then.
    Without it, a spike of the warm-up (the Argon2 sign-in takes 19 MiB) would hide a smaller one."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")
    return status_mib(pid, "VmRSS")


def worker_pid(master_pid: int) -> int:
    for _ in range(100):
        children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
        if children:
            return int(children[0])
        time.sleep(0.1)
    raise RuntimeError("gunicorn started no worker")


class Portal:
    """One signed-in browser on one gunicorn."""

    def __init__(self, root: str):
        self.root = root
        self.host, self.port = urllib.parse.urlsplit(root).hostname, urllib.parse.urlsplit(root).port
        self.cookie = sign_in(root, SIGN_IN_PATH)
        self.token = re.search(r"csrftoken=([^;]+)", self.cookie).group(1)

    def request(self, method, path, body=None, headers=None, length=None):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=1800)
        all_headers = {
            "Cookie": self.cookie,
            "X-CSRFToken": self.token,
            "Referer": self.root + "/",
            **(headers or {}),
        }
        if length is not None:
            all_headers["Content-Length"] = str(length)
        conn.request(method, path, body=body, headers=all_headers)
        response = conn.getresponse()
        return conn, response

    def resumable(self, size: int) -> tuple[str, str]:
        """Send `size` generated bytes in chunks; returns (upload id, sha256 of what was sent)."""
        form = urllib.parse.urlencode({"name": "bench.bin", "size": size, "type": "application/octet-stream"})
        conn, response = self.request(
            "POST", FILES_PATH, form, {"Content-Type": "application/x-www-form-urlencoded"}
        )
        created = json.loads(response.read())
        conn.close()
        if response.status != 201:
            raise RuntimeError(f"create answered {response.status}: {created}")
        path = urllib.parse.urlsplit(created["url"]).path
        digest = hashlib.sha256()
        offset = 0
        blocks = generated(size)
        while offset < size:
            length = min(CHUNK, size - offset)
            chunk = []
            while sum(map(len, chunk)) < length:
                chunk.append(next(blocks))
            digest.update(b"".join(chunk))
            headers = {"Content-Type": "application/offset+octet-stream", "Upload-Offset": str(offset)}
            conn, response = self.request("PATCH", path, iter(chunk), headers, length=length)
            response.read()
            conn.close()
            if response.status != 204:
                raise RuntimeError(f"PATCH at {offset} answered {response.status}")
            offset = int(response.headers["Upload-Offset"])
        return created["id"], digest.hexdigest()

    def form(self, size: int) -> tuple[str, str]:
        boundary = uuid.uuid4().hex
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="bench-form.bin"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        tail = f"\r\n--{boundary}--\r\n".encode()
        digest = hashlib.sha256()

        def body():
            yield head
            for block in generated(size):
                digest.update(block)
                yield block
            yield tail

        conn, response = self.request(
            "POST", "/poste/messaging/bench/form/", body(),
            {"Content-Type": f"multipart/form-data; boundary={boundary}"},
            length=len(head) + size + len(tail),
        )  # fmt: skip
        answer = json.loads(response.read())
        conn.close()
        if response.status != 200 or answer["sha256"] != [digest.hexdigest()]:
            raise RuntimeError(f"form post answered {response.status}: {answer}")
        return answer["ids"][0], digest.hexdigest()

    def download(self, upload_id: str) -> tuple[str, int, str]:
        """(sha256 of the bytes, their count, how they came: streamed or redirect)."""
        conn, response = self.request("GET", f"/poste/messaging/bench/download/{upload_id}/")
        digest, count = hashlib.sha256(), 0
        if response.status == 302:
            conn.close()
            with urllib.request.urlopen(response.headers["Location"], timeout=1800) as s3:  # noqa: S310
                while block := s3.read(MiB):
                    digest.update(block)
                    count += len(block)
            return digest.hexdigest(), count, "presigned redirect"
        if response.status != 200:
            raise RuntimeError(f"download answered {response.status}")
        while block := response.read(MiB):
            digest.update(block)
            count += len(block)
        conn.close()
        return digest.hexdigest(), count, "streamed by the worker"


def prepare(env) -> None:
    for command in (["migrate", "--noinput", "-v", "0"], ["seed_demo", "--force"]):
        done = subprocess.run(
            [sys.executable, "manage.py", *command], cwd=ROOT, env=env, capture_output=True, text=True
        )
        if done.returncode:
            sys.exit(f"manage.py {' '.join(command)} failed:\n{done.stdout}{done.stderr}")


def measure(mode: str, size: int, form: bool, workdir: Path, s3_endpoint: str | None) -> dict:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "ubench_settings",
        "PYTHONPATH": f"{ROOT}{os.pathsep}{workdir}",
        "PYTHONDONTWRITEBYTECODE": "1",
        "UBENCH_DB": str(workdir / f"{mode}.sqlite3"),
        "UBENCH_UPLOADS": str(workdir / f"{mode}-uploads"),
        "PORTAIL_CLAMD_SOCKET": "",
    }
    if mode == "s3":
        import boto3

        bucket = f"bench-{uuid.uuid4().hex[:8]}"
        boto3.client(
            "s3", endpoint_url=s3_endpoint, region_name="us-east-1",
            aws_access_key_id="bench", aws_secret_access_key="bench",
        ).create_bucket(Bucket=bucket)  # fmt: skip
        env.update({"UBENCH_S3": s3_endpoint, "UBENCH_BUCKET": bucket})
    prepare(env)
    os.environ.update(
        {k: env[k] for k in ("DJANGO_SETTINGS_MODULE", "PYTHONPATH", "UBENCH_DB", "UBENCH_UPLOADS")}
    )
    for key in ("UBENCH_S3", "UBENCH_BUCKET"):
        os.environ.pop(key, None)
        if key in env:
            os.environ[key] = env[key]
    args = ["--workers", "1", "--worker-class", "sync", "--timeout", "1800"]
    result = {"mode": mode, "size_bytes": size}
    with (
        gunicorn("ubench_settings", args, workdir / f"{mode}-idle.log") as (idle_root, idle_master),
        gunicorn("ubench_settings", args, workdir / f"{mode}-load.log") as (load_root, load_master),
    ):
        idle_pid, load_pid = worker_pid(idle_master), worker_pid(load_master)
        started = {"idle": peak_rss_mib(idle_pid), "load": peak_rss_mib(load_pid)}
        portals = {"idle": Portal(idle_root), "load": Portal(load_root)}
        for name, portal in portals.items():  # the same warm-up for both
            small_id, small_sha = portal.resumable(1024)
            if portal.download(small_id)[0] != small_sha:
                raise RuntimeError(f"{name}: the warm-up file came back different")
            if form:
                portal.form(1024)
        warm_peak = {"idle": peak_rss_mib(idle_pid), "load": peak_rss_mib(load_pid)}
        warm = {"idle": reset_peak(idle_pid), "load": reset_peak(load_pid)}
        log(
            f"{mode}: workers warm, RSS idle {warm['idle']:.1f} MiB, load {warm['load']:.1f} MiB, peaks reset"
        )

        load = portals["load"]
        timings = {}
        began = time.monotonic()
        upload_id, sent_sha = load.resumable(size)
        timings["resumable_upload_s"] = round(time.monotonic() - began, 1)
        after_upload = peak_rss_mib(load_pid)
        log(f"{mode}: resumable upload of {size // MiB} MiB in {timings['resumable_upload_s']} s")
        if form:
            began = time.monotonic()
            load.form(size)
            timings["form_upload_s"] = round(time.monotonic() - began, 1)
            log(f"{mode}: form upload of {size // MiB} MiB in {timings['form_upload_s']} s")
        began = time.monotonic()
        got_sha, got_size, how = load.download(upload_id)
        timings["download_s"] = round(time.monotonic() - began, 1)
        if (got_sha, got_size) != (sent_sha, size):
            raise RuntimeError(f"{mode}: the downloaded file differs from the one sent")
        log(f"{mode}: download ({how}) in {timings['download_s']} s, SHA-256 matches")
        end = {"idle": peak_rss_mib(idle_pid), "load": peak_rss_mib(load_pid)}
    growth = end["load"] - warm["load"]
    result.update(
        {
            "download": how,
            "timings": timings,
            "peak_rss_mib": {
                "started": started,
                "warm_up_peak": warm_peak,
                "warm_rss_at_reset": warm,
                "after_resumable_upload": after_upload,
                "end": end,
            },
            "growth_mib": round(growth, 1),
            "idle_growth_mib": round(end["idle"] - warm["idle"], 1),
            "target_growth_mib": TARGET_GROWTH_MIB,
            "met": growth < TARGET_GROWTH_MIB,
        }
    )
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--only", choices=["local", "s3"])
    parser.add_argument("--no-form", action="store_true")
    options = parser.parse_args()
    size = options.size_mib * MiB
    modes = [options.only] if options.only else ["local", "s3"]
    results = []
    with tempfile.TemporaryDirectory(prefix="portail-upload-bench-") as tmp:
        workdir = Path(tmp)
        (workdir / "ubench_settings.py").write_text(SETTINGS)
        (workdir / "ubench_urls.py").write_text(URLS)
        moto = None
        s3_endpoint = None
        try:
            if "s3" in modes:
                port = free_port()
                moto = subprocess.Popen(
                    [str(Path(sys.executable).parent / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
                )  # fmt: skip
                wait_for_port(port, moto)
                s3_endpoint = f"http://127.0.0.1:{port}"
            for mode in modes:
                results.append(measure(mode, size, not options.no_form, workdir, s3_endpoint))
        except Exception as error:  # noqa: BLE001 - report any failure as "broken"
            log(f"broken: {error}")
            return 2
        finally:
            if moto is not None:
                moto.terminate()
                moto.wait(timeout=15)
    print()
    print(
        f"{'storage':8} {'worker RSS, MiB: idle (warm → peak)':40} {'load (warm → peak)':22} growth  target"
    )
    for r in results:
        rss = r["peak_rss_mib"]
        warm, end = rss["warm_rss_at_reset"], rss["end"]
        print(
            f"{r['mode']:8} {warm['idle']:>8.1f} → {end['idle']:<29.1f} "
            f"{warm['load']:>8.1f} → {end['load']:<11.1f} {r['growth_mib']:>6.1f}  "
            f"< {TARGET_GROWTH_MIB} {'met' if r['met'] else 'MISSED'}"
        )
    print(json.dumps(results, indent=1))
    return 0 if all(r["met"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
