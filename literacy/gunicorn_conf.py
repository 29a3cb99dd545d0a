"""Gunicorn settings for production: gunicorn -c python:literacy.gunicorn_conf app:app

Every value can be overridden with an environment variable of the same name in capitals
(for example WEB_CONCURRENCY=4)."""

import gc
import os
import queue
import signal

# loopback by default: the TLS-terminating reverse proxy in front connects locally; set BIND to open it wider
bind = os.environ.get("BIND", "127.0.0.1:8000")
# Workers: about two per core is a good start for this I/O-bound app; each holds its own pool of
# database connections, so keep workers x pool size below PostgreSQL's max_connections.
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * (os.cpu_count() or 1)))
# One thread per worker (gunicorn's sync worker): the app is CPU-bound, so threads only add GIL
# contention (bench/load.py at 50 connections: p99 198 ms with 1 thread, 250 ms with 2, 522 ms with 8).
# Sync workers need a buffering reverse proxy (nginx and the like) in front, as usual.
threads = int(os.environ.get("THREADS", 1))
timeout = int(os.environ.get("TIMEOUT", 30))  # a request slower than this is killed and logged
graceful_timeout = int(os.environ.get("GRACEFUL_TIMEOUT", 30))  # finish in-flight requests on deploy
keepalive = int(os.environ.get("KEEPALIVE", 5))
# Recycling workers (MAX_REQUESTS > 0) bounds memory growth, but a recycled gthread worker resets the
# connections it had queued; off by default, as the app holds no growing state.
max_requests = int(os.environ.get("MAX_REQUESTS", 0))
max_requests_jitter = 200
# Load the app once in the master and fork the workers from it: the content catalogue and the
# caches warmed below are shared (copy-on-write) instead of built again in every worker.
preload_app = os.environ.get("PRELOAD_APP", "1") == "1"
# gunicorn's control socket (for gunicornc) is not used; every master run by one user would share its
# path (~/.gunicorn/gunicorn.ctl), so two servers on one machine would trip over each other
control_socket_disable = True
accesslog = None  # the app writes its own structured access line with the request id
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")  # the reverse proxy in front


def when_ready(server):
    """In the master, once the app is loaded: fill the caches the workers will inherit."""
    if server.cfg.preload_app:
        for scenario in server.app.wsgi().extensions["catalogue"].scenarios.values():
            scenario.typical_decisions  # noqa: B018 (worked out once, then inherited by every worker)
        # what is loaded now lives as long as the workers: keep it out of their garbage collections
        # (a full collection walked the whole content catalogue, about 100 ms) and their pages shared
        gc.freeze()


def post_fork(server, worker):
    """In a new worker, before it serves: take the stop signals itself, then drop the master's database
    connections."""
    take_stop_signals(server)
    if not server.cfg.preload_app:
        return
    from literacy.platform.extensions import db

    with server.app.wsgi().app_context():
        db.engine.dispose(close=False)


STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGQUIT)


def take_stop_signals(server):
    """Until gunicorn installs a worker's own handlers, a new worker still runs the master's: a SIGTERM
    sent to it then (the master stopping while the worker boots) only lands in the worker's copy of the
    master's signal queue and is lost, and the master waits the whole graceful timeout for a worker that
    never heard it. So a stop signal now ends the booting worker at once, and one that already arrived
    ends it here."""
    for stop in STOP_SIGNALS:
        signal.signal(stop, signal.SIG_DFL)
    while True:
        try:
            received = server.SIG_QUEUE.get_nowait()
        except queue.Empty:
            return
        if received in STOP_SIGNALS:
            os._exit(0)  # nothing served yet, nothing to finish
