"""The static pages: the mock mini-program (issue #4) and the trainer console (issue #14).

`install(app)` serves `/miniprogram/` (index.html) and `/miniprogram/<path>` (app.js,
style.css, …) as they are on disk — no build step. The folder comes from the
configuration (`config.miniprogram_dir()`, or `install(app, web_dir)`): the backend
locates the client's files but never imports the client. The page itself talks to the
conversation API with the sandbox token the user types in (or brings in the link).

It also serves `/console/` from `backend/console_web/`: the trainer console is the
simulator's own operator page (like `/docs`), not a client of it, so it ships with the
backend package. It holds no secret: it asks for the control token and keeps it in the
tab's sessionStorage.
"""

from pathlib import Path

from flask import current_app, send_from_directory

from backend import config

CONFIG_KEY = "ICPSIM_MINIPROGRAM_DIR"
CONSOLE_DIR = Path(__file__).resolve().parents[1] / "console_web"


def _send(folder, name):
    response = send_from_directory(folder, name)
    response.headers["Cache-Control"] = "no-cache"  # revalidate: edits show on reload
    response.headers["Referrer-Policy"] = "no-referrer"  # the pages' links carry nothing to others
    return response


def index():
    return _send(current_app.config[CONFIG_KEY], "index.html")


def asset(name):
    return _send(current_app.config[CONFIG_KEY], name)


def console_index():
    return _send(CONSOLE_DIR, "index.html")


def console_asset(name):
    return _send(CONSOLE_DIR, name)


def install(app, web_dir=None):
    app.config[CONFIG_KEY] = str(web_dir or config.miniprogram_dir())
    # `/miniprogram` (no slash) gets Werkzeug's 308 to `/miniprogram/`, query kept: the
    # page's relative URLs (app.js, style.css) need the slash.
    app.add_url_rule("/miniprogram/", "miniprogram_index", index, methods=["GET"])
    app.add_url_rule("/miniprogram/<path:name>", "miniprogram_asset", asset, methods=["GET"])
    app.add_url_rule("/console/", "console_index", console_index, methods=["GET"])
    app.add_url_rule("/console/<path:name>", "console_asset", console_asset, methods=["GET"])
