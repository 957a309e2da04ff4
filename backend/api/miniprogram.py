"""The mock mini-program page (issue #4): static files from mock_miniprogram/web/.

`install(app)` serves `/miniprogram/` (index.html) and `/miniprogram/<path>` (app.js,
style.css, …) as they are on disk — no build step. The page itself talks to the
conversation API with the sandbox token the user types in (or passes in the URL).
"""
from pathlib import Path

from flask import send_from_directory

import mock_miniprogram

WEB_DIR = Path(mock_miniprogram.__file__).resolve().parent / "web"  # package data: web/*


def _send(name):
    response = send_from_directory(WEB_DIR, name)
    response.headers["Cache-Control"] = "no-cache"  # revalidate: edits show on reload
    return response


def index():
    return _send("index.html")


def asset(name):
    return _send(name)


def install(app):
    # `/miniprogram` (no slash) gets Werkzeug's 308 to `/miniprogram/`, query kept: the
    # page's relative URLs (app.js, style.css) need the slash.
    app.add_url_rule("/miniprogram/", "miniprogram_index", index, methods=["GET"])
    app.add_url_rule("/miniprogram/<path:name>", "miniprogram_asset", asset, methods=["GET"])
