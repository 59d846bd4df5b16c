"""The published JSON Schemas and the authoring guide's examples stay true."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cases.management.commands.export_schemas import schema_texts
from cases.yamlmap import YamlRefused, dump, load
from tests.cases.helpers import REPO, VALID_FILES, validate_files

DOCS = REPO / "docs"
EXAMPLES = sorted((DOCS / "examples").glob("*.yaml"))


@pytest.mark.parametrize("name", sorted(schema_texts()))
def test_the_committed_json_schema_equals_what_the_models_produce(name: str) -> None:
    committed = (DOCS / name).read_text(encoding="utf-8")
    assert committed == schema_texts()[name], "run `python manage.py export_schemas docs/`"


def test_each_schema_requires_its_document_kind() -> None:
    for name, text in schema_texts().items():
        schema = json.loads(text)
        assert "document" in schema["required"]
        assert schema["properties"]["document"]["const"] == name.removesuffix(".schema.json")
        assert schema["additionalProperties"] is False


def test_the_schemas_accept_numbers_where_the_models_read_numbers_as_text() -> None:
    library = json.loads(schema_texts()["library.schema.json"])
    case = json.loads(schema_texts()["case.schema.json"])
    pmid = library["$defs"]["Reference"]["properties"]["pmid"]["anyOf"]
    value = case["$defs"]["Finding"]["properties"]["value"]["anyOf"]
    assert {"type": "integer"} in pmid
    assert {"type": "number"} in value


def test_export_schemas_writes_the_files_and_check_finds_them_current(tmp_path: Path) -> None:
    out = StringIO()
    call_command("export_schemas", str(tmp_path), stdout=out)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(schema_texts())

    call_command("export_schemas", str(tmp_path), "--check", stdout=out)
    assert out.getvalue().splitlines()[-1] == "schemas are up to date."


def test_export_schemas_check_fails_on_a_stale_file(tmp_path: Path) -> None:
    call_command("export_schemas", str(tmp_path), stdout=StringIO())
    (tmp_path / "case.schema.json").write_text("{}\n", encoding="utf-8")

    with pytest.raises(CommandError, match="out of date: .*case.schema.json"):
        call_command("export_schemas", str(tmp_path), "--check", stdout=StringIO())
    assert (tmp_path / "case.schema.json").read_text(encoding="utf-8") == "{}\n"


def test_the_authoring_guide_examples_validate() -> None:
    assert [p.name for p in EXAMPLES] == ["algorithm.yaml", "case.yaml", "library.yaml"]
    report = validate_files(*EXAMPLES)
    assert report.problems == []
    assert report.summary() == "3 files valid: 1 library, 1 algorithm, 1 case."


def test_the_authoring_guide_examples_point_editors_at_the_schemas() -> None:
    for path in EXAMPLES:
        first = path.read_text(encoding="utf-8").splitlines()[0]
        schema = first.removeprefix("# yaml-language-server: $schema=")
        assert (path.parent / schema).resolve() == DOCS / f"{path.stem}.schema.json"


def test_the_valid_fixtures_validate() -> None:
    report = validate_files(*VALID_FILES)
    assert report.problems == []


def test_yaml_anchors_and_aliases_are_refused_at_their_line() -> None:
    for text, line in [("a: 1\nb: &x 2\n", 2), ("a: [1,\n  *x]\n", 2), ("a: !!str &x 1\n", 1)]:
        with pytest.raises(YamlRefused, match=r"anchors and aliases \(&name, \*name\)") as error:
            load(text)
        assert error.value.line == line


def test_a_value_met_twice_is_written_out_twice_so_it_loads_back() -> None:
    citations = ["smith2020"]
    text = dump({"a": {"citations": citations}, "b": {"citations": citations}})

    assert "&" not in text and "*" not in text
    assert load(text).data == {"a": {"citations": citations}, "b": {"citations": citations}}
