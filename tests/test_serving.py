"""gunicorn, started exactly as the Dockerfile starts it, serves the page and /healthz."""

from __future__ import annotations

import json
import urllib.request

from conftest import dockerfile_command


def test_dockerfile_runs_gunicorn_on_app_server():
    command = dockerfile_command()
    assert command[0] == "gunicorn" and command[-1] == "app:server"


def test_gunicorn_serves_page_health_and_api(gunicorn_factory):
    server = gunicorn_factory()
    with urllib.request.urlopen(server.url + "/", timeout=10) as response:
        assert response.status == 200 and b"Transfer Matrix Explorer" in response.read()
    with urllib.request.urlopen(server.url + "/healthz", timeout=10) as response:
        assert json.loads(response.read()) == {"status": "ok", "store": True}
    with urllib.request.urlopen(server.url + "/api/view?dataset=mistral-7b_auc", timeout=10) as response:
        assert json.loads(response.read())["dataset"]["id"] == "mistral-7b_auc"
