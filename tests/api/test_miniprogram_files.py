"""The mock mini-program page is served as plain files: no build step, no CDN, no token."""

import re
from pathlib import Path

import pytest

WEB = Path(__file__).resolve().parents[2] / "mock_miniprogram" / "web"


@pytest.fixture
def client(app):
    return app.test_client()


def test_index_and_assets_are_served_without_a_token(client):
    page = client.get("/miniprogram/")
    assert page.status_code == 200
    assert page.headers["Content-Type"].startswith("text/html")
    html = page.get_data(as_text=True)
    assert "ICP备案" in html and 'type="module" src="app.js"' in html and 'href="style.css"' in html
    script = client.get("/miniprogram/app.js")
    assert script.status_code == 200
    assert re.match(r"(text|application)/javascript", script.headers["Content-Type"])  # module scripts need it
    assert client.get("/miniprogram/style.css").headers["Content-Type"].startswith("text/css")


def test_bare_path_redirects_with_the_query(client):
    resp = client.get("/miniprogram?sandbox=demo&token=abc")
    assert resp.status_code in (301, 308)
    assert resp.headers["Location"].endswith("/miniprogram/?sandbox=demo&token=abc")


def test_unknown_file_is_404_and_nothing_outside_the_folder(client):
    assert client.get("/miniprogram/nope.js").status_code == 404
    assert client.get("/miniprogram/../app.py").status_code == 404
    assert client.get("/miniprogram/%2e%2e/sdk.py").status_code == 404


def test_page_loads_nothing_from_elsewhere():
    for path in (p for p in WEB.rglob("*") if p.is_file()):  # miit/ (MIIT's page) too
        text = path.read_text(encoding="utf-8")
        # no CDN, no web fonts: every URL the page loads is relative or the API's own
        assert not re.search(
            r"""(src|href)=["']https?://|@import|url\(["']?https?://|\bimport\s.*from\s+["']https?://""", text
        ), path
