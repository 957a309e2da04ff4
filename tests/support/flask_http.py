"""A requests-like session over Flask's test client, so the SDK and the replay runner can
run in-process against the app (with RQ's synchronous mode) — fast unit tests, no sockets."""

import io
import json as _json
from urllib.parse import urlsplit

BASE_URL = "http://icpsim.test"


class Response:
    def __init__(self, resp):
        self._resp = resp
        self.status_code = resp.status_code
        self.headers = resp.headers
        self.content = resp.get_data()

    @property
    def text(self):
        return self.content.decode("utf-8", "replace")

    def json(self):
        return _json.loads(self.content)


class FlaskSession:
    def __init__(self, app):
        self.client = app.test_client()

    def request(
        self,
        method,
        url,
        json=None,
        params=None,
        headers=None,
        timeout=None,
        allow_redirects=False,
        data=None,
        files=None,
    ):
        parts = urlsplit(url)
        kwargs = {"method": method, "headers": dict(headers or {}), "query_string": params or parts.query or None}
        if json is not None:
            kwargs["json"] = json
        if files:  # requests' {"field": (filename, bytes, content type)} as a multipart body
            kwargs["data"] = {k: (io.BytesIO(v[1]), v[0], *v[2:]) for k, v in files.items()}
            kwargs["content_type"] = "multipart/form-data"
        return Response(self.client.open(parts.path, follow_redirects=False, **kwargs))

    def get(self, url, **kwargs):
        return self.request("GET", url, **kwargs)

    def close(self):
        pass
