"""gunicorn settings for Weike's web processes (deploy/systemd/weike-web.service).

Threads, not sync workers: a tus PATCH streams for as long as the teacher's
connection needs (nginx does not buffer it), and a sync worker would be held
for all that time. Environment: GUNICORN_BIND, WEB_CONCURRENCY, GUNICORN_THREADS.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", 4))
# Only a worker that stops answering its master is restarted; a long upload
# in a thread does not count against it.
timeout = 120
graceful_timeout = 60
keepalive = 75  # longer than nginx's upstream keepalive_timeout (60 s)
# Recycle workers now and then so a slow leak can never grow without bound.
max_requests = 2000
max_requests_jitter = 200
# nginx is the only client; it sends X-Forwarded-For/-Proto (Django decides
# whether to trust them: WEIKE_BEHIND_TLS_PROXY, WEIKE_TRUSTED_PROXY_COUNT).
forwarded_allow_ips = "127.0.0.1"
# Load Django once in the master: workers share its memory, and the port
# only opens once the application imports cleanly.
preload_app = True
# No control socket: several web processes may share a host (and a home).
control_socket_disable = True
accesslog = "-"
errorlog = "-"
