"""Crosswalk files: strict validation with every problem located, the shipped SMR to UNDRR Ten
Essentials crosswalk, the figures of an assessment seen through it, and the command line.

Pure Python: no database (the command runs as a process without one)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from vertebra.cli import main
from vertebra.frameworks.crosswalk import (
    CROSSWALK_DIR,
    crosswalks_for,
    parse_crosswalk,
    problems_against,
    reference_view,
    shipped_crosswalks,
    supported_by_objective,
)
from vertebra.frameworks.files import FrameworkFileError, load_shipped

SHIPPED = CROSSWALK_DIR / "smr-rmm-undrr-ten-essentials.yaml"

SMALL = """\
format: 1
kind: crosswalk
id: small
version: 1
name: Small
description: Two links.
framework: {id: smr-rmm, version: 1}
reference:
  id: ref
  name: A reference
  items:
  - {code: A, name: First}
  - {code: B, name: Second}
links:
- {objective: L1S1, item: A, note: Plainly.}
- {objective: L1S2, item: A}
- {objective: L1S2, item: B}
"""


def _errors(text: str, name: str = "x.yaml") -> list[str]:
    with pytest.raises(FrameworkFileError) as caught:
        parse_crosswalk(text.encode(), filename=name)
    return caught.value.errors


def test_the_shipped_crosswalk_links_every_smr_objective_to_the_ten_essentials() -> None:
    [crosswalk] = shipped_crosswalks()
    assert crosswalk == parse_crosswalk(SHIPPED.read_bytes(), filename=str(SHIPPED))
    assert crosswalk.framework.id == "smr-rmm"
    assert [item.code for item in crosswalk.reference.items] == [f"E{n:02d}" for n in range(1, 11)]
    assert crosswalk.reference.items[0].name == "Organise for disaster resilience"
    assert "the Vertebra project's own reading" in crosswalk.description
    assert "own reading" in SHIPPED.read_text(encoding="utf-8").splitlines()[1]
    smr = load_shipped("smr-rmm")
    assert problems_against(crosswalk, smr) == []
    assert {link.objective for link in crosswalk.links} == {o.code for _, _, o in smr.objectives()}
    assert crosswalks_for("smr-rmm", 1) == [crosswalk]
    assert crosswalks_for("smr-rmm", 2) == []


def test_structure_and_meaning_problems_are_all_reported_with_their_place() -> None:
    text = (
        SMALL.replace("- {code: B, name: Second}", "- {code: A, name: Second}").replace(
            "{objective: L1S2, item: B}", "{objective: L1S2, item: C}"
        )
        + "- {objective: L1S1, item: A}\n"
    )
    assert _errors(text) == [
        "reference.items[1] (A).code: duplicate item code 'A' (first used at reference.items[0])",
        "links[2].item: item 'C' is not an item of the reference (A)",
        "links[3]: objective 'L1S1' is already linked to 'A' (links[0])",
    ]


def test_unknown_fields_wrong_kinds_and_missing_parts_are_named() -> None:
    text = SMALL.replace("kind: crosswalk", "kind: model").replace(
        "- {objective: L1S1, item: A, note: Plainly.}", "- {objective: L1S1, item: A, weight: 2}"
    )
    assert _errors(text) == [
        "kind: expected 'crosswalk'",
        "links[0].weight: unknown field",
    ]
    assert _errors("format: 1\nkind: crosswalk\n") == [
        f"{field}: missing required field"
        for field in (
            "id",
            "version",
            "name",
            "description",
            "framework",
            "reference",
            "links",
        )
    ]
    assert _errors("[]") == ["(document): expected a mapping of fields, got a list"]
    assert _errors(SMALL, name="x.txt") == [
        "(file): unknown extension '.txt'; use .yaml, .yml or .json"
    ]


def test_links_to_objectives_the_model_does_not_have_are_named() -> None:
    crosswalk = parse_crosswalk(
        SMALL.replace("objective: L1S1", "objective: Z9Z9").encode(), filename="x.yaml"
    )
    smr = load_shipped("smr-rmm")
    assert problems_against(crosswalk, smr) == [
        "links[0].objective: 'Z9Z9' is not an objective of smr-rmm version 1"
    ]
    other = parse_crosswalk(SMALL.replace("version: 1}", "version: 7}").encode(), filename="x.yaml")
    assert problems_against(other, smr) == [
        "framework: the crosswalk reads smr-rmm version 7, not smr-rmm version 1"
    ]


def test_the_view_of_an_assessment_counts_each_items_objectives_by_status() -> None:
    crosswalk = parse_crosswalk(SMALL.encode(), filename="x.yaml")
    items = reference_view(
        crosswalk,
        objective_order=["L1S1", "L1S2", "L1M1"],
        titles={"L1S1": "One", "L1S2": "Two"},
        statuses={"L1S1": "achieved", "L1S2": "not_applicable"},
    )
    a, b = items
    assert [(o.code, o.text, o.status, o.note) for o in a.objectives] == [
        ("L1S1", "One", "achieved", "Plainly."),
        ("L1S2", "Two", "not_applicable", None),
    ]
    assert (a.linked, a.achieved, a.not_applicable, a.percent) == (2, 1, 1, 100)
    assert (b.linked, b.achieved, b.not_applicable, b.percent) == (1, 0, 1, None)


def test_a_crosswalk_asked_for_in_a_language_gives_its_view_in_it_and_the_original_elsewhere() -> (
    None
):
    [german] = crosswalks_for("smr-rmm", 1, "de")
    assert german.reference.name == "UNDRR: Zehn Grundprinzipien für resiliente Kommunen"
    items = reference_view(german, objective_order=["L1S2"], titles={}, statuses={})
    e01, e04 = items[0], items[3]
    assert (e01.code, e01.name) == ("E01", "Sich für die Katastrophenresilienz organisieren")
    assert (e04.code, e04.name) == (
        "E04",
        "Eine resiliente Stadtentwicklung und -gestaltung verfolgen",
    )
    # The file has no German note: the original one.
    assert [(o.code, o.note) for o in e04.objectives] == [
        ("L1S2", "Where the city development plans cover land use and building design.")
    ]
    [norwegian] = crosswalks_for("smr-rmm", 1, "nb-NO")
    assert norwegian.reference.items[0].name == "Organiser for motstandsdyktighet mot katastrofer"


def test_the_view_shows_the_crosswalks_texts_as_given_and_translates_nothing_itself() -> None:
    translated = SMALL.replace(
        "- {code: A, name: First}",
        "- {code: A, name: First, translations: {de: {name: Erstes}}}",
    ).replace("note: Plainly.}", "note: Plainly., translations: {de: {note: Schlicht.}}}")
    crosswalk = parse_crosswalk(translated.encode(), filename="x.yaml")
    a, _ = reference_view(crosswalk, objective_order=["L1S1"], titles={}, statuses={})
    assert (a.name, [o.note for o in a.objectives]) == ("First", ["Plainly."])


def test_each_objective_knows_the_essentials_it_supports() -> None:
    supported = supported_by_objective("smr-rmm", 1, "en")
    [group] = supported["L1S2"]
    assert group.reference == "UNDRR Ten Essentials for Making Cities Resilient"
    assert group.items == (
        ("E01", "Organise for disaster resilience"),
        ("E04", "Pursue resilient urban development and design"),
    )
    assert supported_by_objective("smr-rmm", 9, "en") == {}


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_crosswalk_validate_says_valid_or_lists_every_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(capsys, "crosswalk", "validate", str(SHIPPED)) == (
        0,
        f"{SHIPPED}: valid; smr-rmm-undrr-ten-essentials version 1: 107 links from smr-rmm "
        "version 1 to 10 items of UNDRR Ten Essentials for Making Cities Resilient\n",
        "",
    )
    bad = tmp_path / "bad.yaml"
    bad.write_text(SMALL.replace("objective: L1S1", "objective: Z9Z9"), encoding="utf-8")
    assert _run(capsys, "crosswalk", "validate", str(bad)) == (
        2,
        "",
        f"vertebra: {bad}: links[0].objective: 'Z9Z9' is not an objective of smr-rmm version 1\n",
    )
    elsewhere = tmp_path / "elsewhere.yaml"
    elsewhere.write_text(SMALL.replace("id: smr-rmm", "id: toy"), encoding="utf-8")
    code, out, err = _run(capsys, "crosswalk", "validate", str(elsewhere))
    assert (code, err) == (0, "")
    assert out.endswith(
        f"{elsewhere}: objective codes not checked: toy version 1 is not a shipped model\n"
    )
    code, out, err = _run(capsys, "crosswalk", "validate", str(tmp_path / "missing.yaml"))
    assert (code, out, err) == (
        2,
        "",
        f"vertebra: {tmp_path / 'missing.yaml'}: (file): no such file\n",
    )


def test_crosswalk_list_runs_as_a_process_without_a_database(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    env = {**os.environ, "VERTEBRA_DATA_DIR": str(data_dir)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-m", "vertebra.cli", "crosswalk", "list"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.splitlines()[1].split()[:4] == [
        "smr-rmm-undrr-ten-essentials",
        "1",
        "smr-rmm@1",
        "107",
    ]
    assert not data_dir.exists()
