"""Callback requests as the Dash renderer sends them, for tests that talk to the endpoint directly."""

from __future__ import annotations

from typing import Any

CALLBACK_PATH = "/_dash-update-component"


def callback_key(app, input_id: str, prop: str | None = None) -> str:
    """The callback_map key of the one server callback that has `input_id` as an Input."""
    keys = [key for key, cb in app.callback_map.items()
            if any(i["id"] == input_id and (prop is None or i["property"] == prop) for i in cb["inputs"])]
    assert len(keys) == 1, f"{len(keys)} callbacks take {input_id} as an input"
    return keys[0]


def _entries(declared: list[dict], values: dict[str, Any]) -> list:
    entries = []
    for item in declared:
        if isinstance(item["id"], dict) or item["id"].startswith("{"):  # pattern-matching (ALL): none on the page
            entries.append([])
        else:
            entries.append({"id": item["id"], "property": item["property"], "value": values.get(item["id"])})
    return entries


def callback_body(app, key: str, values: dict[str, Any] | None = None, *, changed: str | None = None) -> dict:
    """A well-formed request for the callback `key`; `values` maps component ids to their values,
    `changed` names the triggering input id (the first input by default)."""
    values = values or {}
    callback = app.callback_map[key]
    outputs = [{"id": o.component_id, "property": o.component_property.split("@")[0]} for o in
               (callback["output"] if isinstance(callback["output"], list) else [callback["output"]])]
    trigger = changed or callback["inputs"][0]["id"]
    prop = next(i["property"] for i in callback["inputs"] if i["id"] == trigger)
    return {
        "output": key,
        "outputs": outputs if isinstance(callback["output"], list) else outputs[0],
        "inputs": _entries(callback["inputs"], values),
        "state": _entries(callback["state"], values),
        "changedPropIds": [f"{trigger}.{prop}"],
    }
