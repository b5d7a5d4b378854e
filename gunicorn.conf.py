"""gunicorn settings used by the Dockerfile and by the serving tests (one source of truth)."""

import os

bind = os.environ.get("TMX_BIND", "0.0.0.0:8050")
workers = int(os.environ.get("TMX_WORKERS", "2"))
threads = int(os.environ.get("TMX_THREADS", "4"))
worker_class = "gthread"
timeout = 60
graceful_timeout = 20
keepalive = 5
# Request line and header limits stay at gunicorn's defaults (4094 bytes): longer links are
# answered 414 by gunicorn itself, which is why the app caps its own query parsing below that.
accesslog = "-"
# gunicorn's default line plus the worker's pid and the time taken (which worker answered what).
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(p)s %(M)sms'
errorlog = "-"
loglevel = os.environ.get("TMX_LOG_LEVEL", "info")
