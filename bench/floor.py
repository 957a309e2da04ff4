"""The floors the benchmark divides by: what the building blocks cost with no icpsim code.

* `create_app()`: a flask-smorest endpoint doing one HGETALL, served by gunicorn with the
  Procfile's settings (backend/gunicorn_conf.py): the floor of an API call.
(The floor of a job, an RQ job doing nothing on the same worker, is bench/noop.py.)
"""

import os

import redis
from flask import Flask
from flask.views import MethodView
from flask_smorest import Api, Blueprint

FLOOR_KEY = "bench:floor"


def create_app():
    app = Flask("bench-floor")
    app.config.update(API_TITLE="floor", API_VERSION="1", OPENAPI_VERSION="3.0.3")
    client = redis.Redis.from_url(os.environ["REDIS_URL"], decode_responses=True)
    blp = Blueprint("floor", __name__, url_prefix="/floor")

    @blp.route("")
    class Floor(MethodView):
        @blp.response(200)
        def get(self):
            return client.hgetall(FLOOR_KEY)

        @blp.response(200)
        def post(self):
            return client.hgetall(FLOOR_KEY)

    Api(app).register_blueprint(blp)
    return app
