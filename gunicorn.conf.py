"""gunicorn settings used by the Dockerfile and by the serving tests (one source of truth).

gunicorn loads this file with the working directory on sys.path (the Dockerfile's WORKDIR).
"""

import os

from web import memory

bind = os.environ.get("TMX_BIND", "0.0.0.0:8050")
workers = int(os.environ.get("TMX_WORKERS", "2"))
threads = int(os.environ.get("TMX_THREADS", "4"))
worker_class = "gthread"
timeout = 60
graceful_timeout = 20
keepalive = 5
# Request lines up to 8,190 bytes (gunicorn's maximum) reach the app, which refuses queries over
# web.security.MAX_QUERY_BYTES itself: a person who pastes a too-long link gets the app's HTML error
# page (JSON under /api/), not gunicorn's bare 414. Header limits stay at gunicorn's defaults.
limit_request_line = 8190
accesslog = "-"
# gunicorn's default line plus the worker's pid and the time taken (which worker answered what).
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(p)s %(M)sms'
errorlog = "-"
loglevel = os.environ.get("TMX_LOG_LEVEL", "info")

# glibc malloc tuning (web/memory.py), set here in the master and inherited by every forked
# worker; after each request, freed heap pages go back to the kernel.
MALLOC_TUNED = memory.tune_malloc()


def post_request(worker, req, environ, resp):
    """gunicorn calls this after every request."""
    memory.after_request(getattr(resp, "sent", 0))
