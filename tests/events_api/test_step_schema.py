"""The published schema of every workflow step, generated from `events.workflow.STEPS`
(issue #13 item 1): a request body with `version`, a summary, a description saying who
may take it and from which states, and every answer the step gives."""

import pytest
from drf_spectacular.generators import SchemaGenerator

from events import workflow

API_STEPS = [name for name, row in workflow.STEPS.items() if row.url and not row.creates]


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


@pytest.mark.parametrize("name", API_STEPS)
def test_each_step_publishes_its_body_summary_description_and_answers(schema, name):
    row = workflow.STEPS[name]
    operation = schema["paths"][f"/api/v1/events/{{number}}/{row.url}/"]["post"]
    body = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert "version" in schema["components"]["schemas"][body]["required"]
    assert str(row.label) in operation["summary"]
    assert "**Who**" in operation["description"] and "**From**" in operation["description"]
    assert {"200", "400", "403", "404", "409", "428"} <= set(operation["responses"])
    assert "stale_version" in operation["responses"]["409"]["description"]
    assert "invalid_transition" in operation["responses"]["409"]["description"]


def test_the_api_has_no_step_outside_the_registry(schema):
    """Every POST under /events/{number}/ is a registry step, or one of the non-step actions."""
    others = {"attachments", "contact"}
    posted = {
        path.split("/")[-2]
        for path, item in schema["paths"].items()
        if path.startswith("/api/v1/events/{number}/") and "post" in item
    }
    assert posted == {workflow.STEPS[name].url for name in API_STEPS} | others
