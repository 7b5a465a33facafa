"""A Python client generated from the OpenAPI schema (openapi-python-client), used for real.

Clients are generated from /api/schema/, not written by hand: the schema must
be one that generators turn into working code. Sources take JSON or a form
upload; described with one component for both, the generator sent every
body as a form with a made-up boundary, and put the file in the JSON.
"""

import importlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from knox.models import AuthToken

from sources.models import Source
from tests.factories import SAMPLE_TEXT, make_editor

BIN = Path(sys.executable).parent
GENERATOR = shutil.which("openapi-python-client", path=str(BIN)) or shutil.which(
    "openapi-python-client"
)
PACKAGE = "timeline_api_client"


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """The generated package, imported (skipped, or failed under TIMELINE_STRICT_TESTS=1,
    without the generator: pip install -e '.[test]')."""
    if GENERATOR is None:
        pytest.skip("openapi-python-client is not installed (pip install -e '.[test]')")
    folder = tmp_path_factory.mktemp("generated")
    schema = folder / "schema.yaml"
    call_command("spectacular", "--file", str(schema))
    # The generator formats its output with ruff, which the test extra installs beside it.
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    run = subprocess.run(
        [
            GENERATOR,
            "generate",
            "--path",
            str(schema),
            "--meta",
            "none",
            "--output-path",
            str(folder / PACKAGE),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    sys.path.insert(0, str(folder))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(folder))
        for name in [name for name in sys.modules if name.split(".")[0] == PACKAGE]:
            del sys.modules[name]


@pytest.fixture
def api(generated, live_server):
    """A generated client for the live server, with an editor's token."""
    _, token = AuthToken.objects.create(make_editor())
    return generated.AuthenticatedClient(
        base_url=live_server.url, token=token, prefix="Token", raise_on_unexpected_status=True
    )


# The live server needs committed data; serialized_rollback restores the
# migrations' data (the Editors group) that an earlier flush removed.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_generated_client_creates_and_replaces_a_source_with_json(generated, api):
    from timeline_api_client.api.v1 import v1_sources_create, v1_sources_update
    from timeline_api_client.models import EditorSource, SourceWriteRequest

    created = v1_sources_create.sync_detailed(
        client=api,
        body=SourceWriteRequest(
            slug="wire-geneva",
            title="Ministers agree a pause",
            url="https://news.example.org/geneva",
            text=SAMPLE_TEXT,
        ),
    )

    assert created.status_code == 201, created.content
    assert created.headers["Content-Type"] == "application/json"
    source = created.parsed
    assert isinstance(source, EditorSource)
    assert (source.slug, source.text_length) == ("wire-geneva", len(SAMPLE_TEXT))

    replaced = v1_sources_update.sync_detailed(
        str(source.id),
        client=api,
        body=SourceWriteRequest(slug="wire-geneva", title="Ministers agree a pause in Geneva"),
        if_match=created.headers["ETag"],
    )

    assert replaced.status_code == 200, replaced.content
    assert replaced.parsed.title == "Ministers agree a pause in Geneva"
    assert replaced.parsed.version == source.version + 1
    assert Source.objects.get().title == "Ministers agree a pause in Geneva"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_generated_client_uploads_a_source_as_a_form(generated, api):
    from io import BytesIO

    from timeline_api_client.api.v1 import v1_sources_create
    from timeline_api_client.models import SourceUploadRequest
    from timeline_api_client.types import File

    created = v1_sources_create.sync_detailed(
        client=api,
        body=SourceUploadRequest(
            slug="wire-upload",
            title="Uploaded",
            file=File(
                payload=BytesIO(SAMPLE_TEXT.encode()),
                file_name="article.txt",
                mime_type="text/plain",
            ),
        ),
    )

    assert created.status_code == 201, created.content
    assert created.parsed.text_length == len(SAMPLE_TEXT)
    assert Source.objects.get(slug="wire-upload").text == SAMPLE_TEXT
