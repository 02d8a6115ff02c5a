#!/usr/bin/env python3
"""Write the nginx site for Weike from deploy/nginx/weike.conf.in.

    python deploy/render_nginx.py --server-name weike.example.edu.cn \\
        --web 10.0.0.11:8000 --web 10.0.0.12:8000 \\
        --tls-cert /etc/ssl/weike.pem --tls-key /etc/ssl/weike.key \\
        > /etc/nginx/sites-available/weike.conf

Without --tls-cert the site listens on plain HTTP (--listen), for a load
balancer that terminates TLS in front of nginx, or for tests on loopback.
Standard library only: it runs on a host that has nginx but not Weike.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parent / "nginx" / "weike.conf.in"
PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")
# What nginx accepts unquoted in the values we insert: no spaces, quotes,
# semicolons or braces, so a value can never add a directive.
SAFE_VALUE = re.compile(r"[A-Za-z0-9_.:/\-\[\]]+")
HSTS = (
    'add_header Strict-Transport-Security "max-age=31536000; includeSubDomains" always;'
)
# Mozilla's "intermediate" TLS 1.2 suites (TLS 1.3 suites are fixed).
CIPHERS = (
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305"
)


def _safe(value: str, what: str) -> str:
    if not SAFE_VALUE.fullmatch(value):
        raise SystemExit(f"render_nginx: unsafe {what}: {value!r}")
    return value


def _path(value: str, what: str) -> str:
    _safe(value, what)
    if not value.startswith("/") or "/../" in value + "/" or "//" in value:
        raise SystemExit(f"render_nginx: {what} must be an absolute plain path")
    return value.rstrip("/")


def render(args: argparse.Namespace) -> str:
    accel = _safe(args.accel_prefix, "accel prefix")
    # Its own "/_…/" space: never /media/ or /static/, which it would shadow.
    if not (accel.startswith("/_") and accel.endswith("/")) or ".." in accel:
        raise SystemExit("render_nginx: --accel-prefix must look like /_name/")
    upstreams = "\n".join(
        f"    server {_safe(web, 'web address')} max_fails=3 fail_timeout=10s;"
        for web in args.web
    )
    names = " ".join(_safe(name, "server name") for name in args.server_name.split())
    if args.tls_cert:
        listen = (
            f"    listen {_safe(args.tls_listen, 'TLS listen address')} ssl http2;\n"
            f"    ssl_certificate {_path(args.tls_cert, 'certificate')};\n"
            f"    ssl_certificate_key {_path(args.tls_key or '', 'key')};\n"
            "    ssl_protocols TLSv1.2 TLSv1.3;\n"
            f"    ssl_ciphers {CIPHERS};\n"
            "    ssl_prefer_server_ciphers off;\n"
            "    ssl_session_cache shared:weike_tls:10m;\n"
            # One HSTS header for every answer: nginx's, not Django's too.
            f"    {HSTS}\n"
            "    proxy_hide_header Strict-Transport-Security;"
        )
        redirect = (
            f"\nserver {{\n    listen {_safe(args.listen, 'listen address')};\n"
            f"    server_name {names};\n    server_tokens off;\n"
            "    return 301 https://$host$request_uri;\n}\n"
        )
        hsts = "        " + HSTS  # locations with add_header repeat it
    else:
        listen = f"    listen {_safe(args.listen, 'listen address')};"
        redirect, hsts = "", ""
    values = {
        "upstream_servers": upstreams,
        "redirect_server": redirect,
        "listen": listen,
        "server_name": names,
        "form_max_body": _safe(args.form_max_body, "size"),
        "upload_max_body": _safe(args.upload_max_body, "size"),
        "static_root": _path(args.static_root, "static root"),
        "media_root": _path(args.media_root, "media root"),
        "accel_prefix": accel,
        "hsts": hsts,
    }
    text = TEMPLATE.read_text()
    missing = set(PLACEHOLDER.findall(text)) - set(values)
    if missing:
        raise SystemExit(f"render_nginx: no value for {sorted(missing)}")
    return PLACEHOLDER.sub(lambda m: values[m.group(1)], text)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--server-name", default="_", help="server_name (space-separated)")
    p.add_argument(
        "--web",
        action="append",
        required=True,
        help="a gunicorn address host:port (repeat for every web host)",
    )
    p.add_argument(
        "--listen",
        default="80",
        help="plain-HTTP listen (with TLS: where http:// is redirected to https://)",
    )
    p.add_argument("--tls-cert", help="certificate chain (turns on TLS + redirect)")
    p.add_argument("--tls-listen", default="443", help="TLS listen address")
    p.add_argument("--tls-key", help="its private key")
    p.add_argument("--static-root", default="/srv/weike/static")
    p.add_argument("--media-root", default="/srv/weike/var/media")
    p.add_argument(
        "--accel-prefix",
        default="/_weike_media/",
        help="internal location; the same as WEIKE_MEDIA_ACCEL_PREFIX",
    )
    p.add_argument("--form-max-body", default="210m", help="forms and the admin")
    p.add_argument(
        "--upload-max-body",
        default="4100m",
        help="tus PATCH bodies: at least WEIKE_UPLOAD_MAX_BYTES",
    )
    return p


if __name__ == "__main__":
    sys.stdout.write(render(parser().parse_args()))
