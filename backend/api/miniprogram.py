"""The mock mini-program page (issue #4): static files from the client's web/ folder.

`install(app)` serves `/miniprogram/` (index.html) and `/miniprogram/<path>` (app.js,
style.css, …) as they are on disk — no build step. The folder comes from the
configuration (`config.miniprogram_dir()`, or `install(app, web_dir)`): the backend
locates the client's files but never imports the client. The page itself talks to the
conversation API with the sandbox token the user types in (or passes in the URL).
"""
from flask import current_app, send_from_directory

from backend import config

CONFIG_KEY = "ICPSIM_MINIPROGRAM_DIR"


def _send(name):
    response = send_from_directory(current_app.config[CONFIG_KEY], name)
    response.headers["Cache-Control"] = "no-cache"  # revalidate: edits show on reload
    return response


def index():
    return _send("index.html")


def asset(name):
    return _send(name)


def install(app, web_dir=None):
    app.config[CONFIG_KEY] = str(web_dir or config.miniprogram_dir())
    # `/miniprogram` (no slash) gets Werkzeug's 308 to `/miniprogram/`, query kept: the
    # page's relative URLs (app.js, style.css) need the slash.
    app.add_url_rule("/miniprogram/", "miniprogram_index", index, methods=["GET"])
    app.add_url_rule("/miniprogram/<path:name>", "miniprogram_asset", asset, methods=["GET"])
