"""The framework file format: the shipped SMR model, strict validation, reading and export.

Pure Python: these tests need no database (run with ``-p no:django`` if Django is not set up).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vertebra.frameworks.files import (
    FrameworkFileError,
    UnknownFrameworkError,
    content_digest,
    dump_yaml,
    export_dict,
    export_file,
    load_shipped,
    parse_framework,
    read_framework_file,
    shipped_framework_paths,
    to_shape,
)
from vertebra.frameworks.schema import Framework

TOY_YAML = """\
format: 1
id: toy
version: 1
name: Toy model
description: A three-stage toy.
stages:
- {code: B, name: Basic, description: First steps.}
- {code: G, name: Good, description: Getting there.}
- {code: X, name: Excellent, description: Leading.}
dimensions:
- code: D
  name: Doing
  policies:
  - code: D1
    name: Planning
    objectives:
    - {code: D1B1, stage: B, text: Write a plan}
    - {code: D1G1, stage: G, text: Test the plan}
  - code: D2
    name: Acting
    objectives:
    - {code: D2X1, stage: X, text: Act on the plan}
"""


def toy() -> dict[str, Any]:
    """A fresh, valid toy document to break in one place per test."""
    document: dict[str, Any] = yaml.safe_load(TOY_YAML)
    return document


def errors_of(document: Any, filename: str = "toy.json") -> list[str]:
    data = json.dumps(document).encode()
    with pytest.raises(FrameworkFileError) as caught:
        parse_framework(data, filename=filename)
    assert caught.value.path == filename
    return caught.value.errors


def bytes_errors(data: bytes, filename: str = "toy.yaml") -> list[str]:
    with pytest.raises(FrameworkFileError) as caught:
        parse_framework(data, filename=filename)
    return caught.value.errors


# -- the shipped SMR model -----------------------------------------------------------------------


def test_smr_has_the_five_smart_stages_in_order() -> None:
    fw = load_shipped("smr-rmm")

    assert [(stage.code, stage.name) for stage in fw.stages] == [
        ("S", "Starting"),
        ("M", "Moderate"),
        ("A", "Advanced"),
        ("R", "Robust"),
        ("T", "verTebrate"),
    ]
    assert (fw.id, fw.version, fw.format, fw.language) == ("smr-rmm", 1, 1, "en")


def test_smr_has_four_dimensions_and_ten_policies() -> None:
    fw = load_shipped("smr-rmm")

    assert [
        (dimension.code, dimension.name, [policy.code for policy in dimension.policies])
        for dimension in fw.dimensions
    ] == [
        ("L", "Leadership & Governance", ["L1", "L2", "L3", "L4"]),
        ("P", "Preparedness", ["P1", "P2"]),
        ("I", "Infrastructure & Resources", ["I1", "I2"]),
        ("C", "Cooperation", ["C1", "C2"]),
    ]


def test_smr_has_96_objectives_with_the_seed_counts_per_policy() -> None:
    fw = load_shipped("smr-rmm")

    counts = Counter(policy.code for _, policy, _ in fw.objectives())

    assert sum(counts.values()) == 96
    assert dict(counts) == {
        "L1": 11,
        "L2": 5,
        "L3": 6,
        "L4": 5,
        "P1": 10,
        "P2": 13,
        "I1": 12,
        "I2": 15,
        "C1": 13,
        "C2": 6,
    }


def test_smr_objective_codes_follow_policy_stage_number() -> None:
    fw = load_shipped("smr-rmm")

    for _, policy, objective in fw.objectives():
        assert objective.code[:2] == policy.code
        assert objective.code[2] == objective.stage
        assert objective.code[3:].isdigit()


def test_smr_keeps_the_seed_texts_exactly_typos_included() -> None:
    fw = load_shipped("smr-rmm")
    texts = {objective.code: objective.text for _, _, objective in fw.objectives()}
    policies = {
        policy.code: policy.name for dimension in fw.dimensions for policy in dimension.policies
    }

    assert policies["L1"] == "Municipality, cross-sectiorial and multi-governance collaboration"
    assert policies["I1"] == "Reliability of Cis and their interdependences"
    assert texts["L1S1"] == "Establish a working team responsible for resilience issues in the city"
    assert texts["I2A5"] == (
        "Incentivate the private sector to encourage the adoption of energy efficiency standards "
        "in new buildings"
    )
    assert (
        texts["I2T1"]
        == "Assess the improvement and innovation effects to the resilience building process."
    )
    assert texts["P1R1"] == (
        "Undertake regular and long-term risk assessments using the Risk Systemicity Questionnaire"
    )
    assert texts["I2M2"] == (
        "Promote resources /tool sharing among critical infrastructure providers within a region "
        "during crises"
    )
    assert texts["C2T2"] == (
        "Encourage stakeholders to present their experience concerning the resilience building "
        "process as reference for other CITIES"
    )


def test_smr_l2_has_no_starting_objectives() -> None:
    fw = load_shipped("smr-rmm")

    stages = [objective.stage for _, policy, objective in fw.objectives() if policy.code == "L2"]

    assert stages == ["M", "A", "A", "T", "T"]


def test_shipped_files_are_named_after_their_framework_id() -> None:
    paths = shipped_framework_paths()

    assert "smr-rmm" in paths
    for framework_id, path in paths.items():
        assert read_framework_file(path).id == framework_id


def test_load_shipped_is_cached() -> None:
    assert load_shipped("smr-rmm") is load_shipped("smr-rmm")


def test_load_shipped_unknown_id_lists_the_known_ids() -> None:
    with pytest.raises(UnknownFrameworkError) as caught:
        load_shipped("nope")

    assert isinstance(caught.value, KeyError)
    assert str(caught.value) == "unknown framework 'nope' (shipped frameworks: smr-rmm)"


def test_smr_shape_for_the_engine() -> None:
    shape = to_shape(load_shipped("smr-rmm"))

    assert shape.stage_codes == ("S", "M", "A", "R", "T")
    assert shape.dimension_codes == ("L", "P", "I", "C")
    assert shape.policy_codes == ("L1", "L2", "L3", "L4", "P1", "P2", "I1", "I2", "C1", "C2")
    assert len(shape.objective_codes) == 96
    assert shape.objective_codes[:3] == ("L1S1", "L1S2", "L1M1")
    assert (shape.objective_policy["I2A5"], shape.objective_stage["I2A5"]) == ("I2", "A")
    assert shape.policy_name["C2"] == "Involvement in resilience networks of cities"


# -- export and digest -----------------------------------------------------------------------------


def test_export_dict_has_exactly_the_documented_shape_in_model_order() -> None:
    fw = parse_framework(TOY_YAML.encode(), filename="toy.yaml")

    assert export_dict(fw) == {
        "id": "toy",
        "version": 1,
        "name": "Toy model",
        "stages": [
            {"code": "B", "name": "Basic", "description": "First steps."},
            {"code": "G", "name": "Good", "description": "Getting there."},
            {"code": "X", "name": "Excellent", "description": "Leading."},
        ],
        "dimensions": [
            {
                "code": "D",
                "name": "Doing",
                "policies": [
                    {
                        "code": "D1",
                        "name": "Planning",
                        "objectives": [
                            {"code": "D1B1", "stage": "B", "text": "Write a plan"},
                            {"code": "D1G1", "stage": "G", "text": "Test the plan"},
                        ],
                    },
                    {
                        "code": "D2",
                        "name": "Acting",
                        "objectives": [{"code": "D2X1", "stage": "X", "text": "Act on the plan"}],
                    },
                ],
            }
        ],
    }
    assert list(export_dict(fw)) == ["id", "version", "name", "stages", "dimensions"]


def _docs_example() -> Framework:
    docs = (Path(__file__).resolve().parents[1] / "docs" / "FRAMEWORK-FORMAT.md").read_text()
    example = docs.split("```yaml\n", 1)[1].split("```", 1)[0]
    return parse_framework(example.encode(), filename="example.yaml")


@pytest.mark.parametrize("model", ["docs example", "smr-rmm"])
def test_exported_file_reads_back_as_the_same_model_in_json_and_yaml(model) -> None:
    fw = _docs_example() if model == "docs example" else load_shipped("smr-rmm")

    as_json = json.dumps(export_file(fw)).encode()
    as_yaml = dump_yaml(export_file(fw)).encode()

    for data, name in ((as_json, "model.json"), (as_yaml, "model.yaml")):
        again = parse_framework(data, filename=name)
        assert again == fw
        assert content_digest(again) == content_digest(fw)


def test_export_file_keeps_translations_indicators_and_descriptions() -> None:
    exported = export_file(_docs_example())

    assert exported["translations"] == {"es": {"name": "Modelo de madurez de juguete"}}
    assert exported["stages"][0]["description"] == "The first steps are taken."
    objective = exported["dimensions"][0]["policies"][0]["objectives"][0]
    assert objective["indicators"] == [
        {"code": "D1B1.1", "text": "A written plan exists and is dated"}
    ]
    last = exported["dimensions"][0]["policies"][1]["objectives"][0]
    assert last["translations"] == {"es": {"text": "Ayudar a otra ciudad a redactar su plan"}}
    assert list(exported)[:6] == ["format", "id", "version", "name", "description", "stages"]


def test_yaml_export_writes_a_value_met_twice_in_full() -> None:
    shared = {"name": "Básico"}

    text = dump_yaml({"a": shared, "b": shared, "no": "yes"})

    assert text == "a:\n  name: Básico\nb:\n  name: Básico\n'no': 'yes'\n"


def test_yaml_and_json_of_the_same_model_have_the_same_digest() -> None:
    from_yaml = parse_framework(TOY_YAML.encode(), filename="toy.yaml")
    document = toy()
    document["language"] = "en"  # the default, written out
    document["translations"] = {}
    from_json = parse_framework(json.dumps(document).encode(), filename="toy.json")

    assert content_digest(from_yaml) == content_digest(from_json)
    assert len(content_digest(from_yaml)) == 64


def test_digest_changes_when_any_text_changes() -> None:
    document = toy()
    document["dimensions"][0]["policies"][1]["objectives"][0]["text"] = "Act on the plan!"

    changed = parse_framework(json.dumps(document).encode(), filename="toy.json")
    original = parse_framework(TOY_YAML.encode(), filename="toy.yaml")

    assert content_digest(changed) != content_digest(original)


def test_digest_survives_a_json_round_trip_as_stored_in_the_database() -> None:
    fw = load_shipped("smr-rmm")

    stored = json.dumps(fw.model_dump(mode="json", exclude_none=True))

    assert content_digest(Framework.model_validate_json(stored)) == content_digest(fw)


def test_to_shape_of_the_toy_model() -> None:
    fw = parse_framework(TOY_YAML.encode(), filename="toy.yaml")

    shape = to_shape(fw)

    assert dict(shape.stage_names) == {"B": "Basic", "G": "Good", "X": "Excellent"}
    assert dict(shape.dimension_policies) == {"D": ("D1", "D2")}
    assert dict(shape.policy_name) == {"D1": "Planning", "D2": "Acting"}
    assert shape.objective_codes == ("D1B1", "D1G1", "D2X1")
    assert dict(shape.objective_stage) == {"D1B1": "B", "D1G1": "G", "D2X1": "X"}


def test_the_example_in_the_format_docs_is_valid() -> None:
    docs = (Path(__file__).resolve().parents[1] / "docs" / "FRAMEWORK-FORMAT.md").read_text()
    example = docs.split("```yaml\n", 1)[1].split("```", 1)[0]

    fw = parse_framework(example.encode(), filename="example.yaml")

    assert [stage.code for stage in fw.stages] == ["B", "G", "X"]
    assert fw.translations["es"].name == "Modelo de madurez de juguete"
    assert fw.dimensions[0].policies[0].objectives[0].indicators[0].code == "D1B1.1"


# -- translations and indicators -------------------------------------------------------------------


def test_translations_and_indicators_are_read() -> None:
    document = toy()
    document["translations"] = {"es": {"name": "Modelo de juguete"}}
    document["stages"][0]["translations"] = {"es": {"name": "Básico", "description": "Primeros."}}
    objective = document["dimensions"][0]["policies"][0]["objectives"][0]
    objective["indicators"] = [
        {"code": "D1B1.1", "text": "A plan exists", "translations": {"es": {"text": "Hay plan"}}}
    ]

    fw = parse_framework(json.dumps(document).encode(), filename="toy.json")

    assert fw.translations["es"].name == "Modelo de juguete"
    assert fw.stages[0].translations["es"].description == "Primeros."
    indicator = fw.dimensions[0].policies[0].objectives[0].indicators[0]
    assert (indicator.code, indicator.translations["es"].text) == ("D1B1.1", "Hay plan")


def test_translation_of_a_field_the_element_lacks_is_an_error() -> None:
    document = toy()
    document["dimensions"][0]["translations"] = {"es": {"name": "Hacer", "description": "x"}}
    document["dimensions"][0]["policies"][0]["objectives"][0]["translations"] = {
        "es": {"name": "x"}
    }

    assert errors_of(document) == [
        "dimensions[0].policies[0].objectives[0] (D1B1).translations.es.text: missing required field",
        "dimensions[0].policies[0].objectives[0] (D1B1).translations.es.name: unknown field",
        "dimensions[0] (D).translations.es.description: unknown field",
    ]


def test_unquoted_yaml_no_as_a_language_gets_a_hint() -> None:
    data = TOY_YAML.replace("stages:\n", "translations: {no: {name: Leketøy}}\nstages:\n", 1)

    assert bytes_errors(data.encode()) == [
        "translations.false (key): expected text, got a boolean "
        "(in YAML, quote words such as yes, no, on and off)"
    ]


def test_bad_language_code_is_an_error() -> None:
    document = toy()
    document["language"] = "English"

    assert errors_of(document) == [
        "language: 'English' is not a valid language code (such as 'en', 'es' or 'pt-BR')"
    ]


# -- structural errors -----------------------------------------------------------------------------


def test_missing_unknown_and_wrongly_typed_fields_are_all_reported() -> None:
    document = toy()
    del document["description"]
    document["colour"] = "blue"
    document["version"] = "1"
    document["stages"][1]["name"] = 7
    document["dimensions"][0]["policies"][0]["objectives"][1] = "D1G1"

    assert errors_of(document) == [
        "version: expected an integer, got text",
        "description: missing required field",
        "stages[1] (G).name: expected text, got an integer",
        # the innermost element with a code names the place
        "dimensions[0].policies[0] (D1).objectives[1]: expected a mapping, got text",
        "colour: unknown field",
    ]


def test_format_must_be_the_integer_1() -> None:
    for value, message in [
        (2, "unsupported format 2 (this version of Vertebra reads format 1)"),
        (True, "expected the integer 1"),
        (1.0, "expected the integer 1"),
        ("1", "expected the integer 1"),
    ]:
        document = toy()
        document["format"] = value

        assert errors_of(document) == [f"format: {message}"]


def test_version_must_be_a_positive_integer() -> None:
    document = toy()
    document["version"] = 0

    assert errors_of(document) == ["version: must be a positive integer, got 0"]


def test_id_must_be_a_slug() -> None:
    document = toy()
    document["id"] = "Toy Model"

    assert errors_of(document) == [
        "id: 'Toy Model' is not a valid id "
        "(lowercase letters and digits separated by single '-', at most 64 characters)"
    ]


def test_codes_must_match_the_code_pattern() -> None:
    document = toy()
    document["stages"][0]["code"] = "-B"
    document["dimensions"][0]["policies"][0]["objectives"][0]["code"] = "D1 B1"

    assert errors_of(document) == [
        "stages[0] (-B).code: '-B' is not a valid code "
        "(letters, digits, '_', '.' and '-', starting with a letter or digit, at most 32 characters)",
        "dimensions[0].policies[0].objectives[0] (D1 B1).code: 'D1 B1' is not a valid code "
        "(letters, digits, '_', '.' and '-', starting with a letter or digit, at most 32 characters)",
    ]


def test_blank_texts_and_empty_lists_are_errors() -> None:
    document = toy()
    document["name"] = "  "
    document["stages"] = []
    document["dimensions"][0]["policies"][1]["objectives"][0]["text"] = ""

    assert errors_of(document) == [
        "name: must not be empty",
        "stages: must not be empty",
        "dimensions[0].policies[1].objectives[0] (D2X1).text: must not be empty",
    ]


# -- semantic errors -------------------------------------------------------------------------------


def test_duplicate_stage_and_dimension_codes() -> None:
    document = toy()
    document["stages"][2]["code"] = "B"
    document["dimensions"].append(
        {
            "code": "D",
            "name": "Again",
            "policies": [
                {
                    "code": "D3",
                    "name": "P",
                    "objectives": [{"code": "D3B1", "stage": "B", "text": "t"}],
                }
            ],
        }
    )
    document["dimensions"][0]["policies"][1]["objectives"][0]["stage"] = "G"
    document["dimensions"][0]["policies"][1]["objectives"][0]["code"] = "D2G1"

    assert errors_of(document) == [
        "stages[2] (B).code: duplicate stage code 'B' (first used at stages[0])",
        "dimensions[1] (D).code: duplicate dimension code 'D' (first used at dimensions[0])",
    ]


def test_duplicate_policy_codes_across_dimensions() -> None:
    document = toy()
    # Dimension D1's policies may be called D1..., and so may dimension D's.
    document["dimensions"].append(
        {
            "code": "D1",
            "name": "Again",
            "policies": [
                {
                    "code": "D1",
                    "name": "P",
                    "objectives": [{"code": "D1X1", "stage": "X", "text": "t"}],
                }
            ],
        }
    )

    assert errors_of(document) == [
        "dimensions[1].policies[0] (D1).code: duplicate policy code 'D1' "
        "(first used at dimensions[0].policies[0])",
    ]


def test_duplicate_objective_codes_across_the_whole_model() -> None:
    document = toy()
    # Policy D1X's objectives start with D1XX, as do those of policy D1 at stage X.
    document["dimensions"][0]["policies"][1]["code"] = "D1X"
    document["dimensions"][0]["policies"][1]["objectives"][0]["code"] = "D1XX1"
    document["dimensions"][0]["policies"][0]["objectives"].append(
        {"code": "D1XX1", "stage": "X", "text": "t"}
    )

    assert errors_of(document) == [
        "dimensions[0].policies[1].objectives[0] (D1XX1).code: duplicate objective code 'D1XX1' "
        "(first used at dimensions[0].policies[0].objectives[2])",
    ]


def test_duplicate_indicator_codes_across_the_whole_model() -> None:
    document = toy()
    objectives = document["dimensions"][0]["policies"][0]["objectives"]
    objectives[0]["indicators"] = [{"code": "i1", "text": "a"}, {"code": "i2", "text": "b"}]
    objectives[1]["indicators"] = [{"code": "i2", "text": "c"}]

    assert errors_of(document) == [
        "dimensions[0].policies[0].objectives[1].indicators[0] (i2).code: duplicate indicator "
        "code 'i2' (first used at dimensions[0].policies[0].objectives[0].indicators[1])",
    ]


def test_objective_stage_must_be_declared() -> None:
    document = toy()
    document["dimensions"][0]["policies"][0]["objectives"][1]["stage"] = "Q"

    assert errors_of(document) == [
        "dimensions[0].policies[0].objectives[1] (D1G1).stage: "
        "stage 'Q' is not a declared stage (B, G, X)",
    ]


def test_objective_code_must_start_with_policy_and_stage_codes() -> None:
    document = toy()
    document["dimensions"][0]["policies"][0]["objectives"][1]["code"] = "D1B2"
    document["dimensions"][0]["policies"][1]["objectives"][0]["code"] = "D1X1"

    assert errors_of(document) == [
        "dimensions[0].policies[0].objectives[1] (D1B2).code: objective code 'D1B2' must start "
        "with its policy code and stage code ('D1G')",
        "dimensions[0].policies[1].objectives[0] (D1X1).code: objective code 'D1X1' must start "
        "with its policy code and stage code ('D2X')",
    ]


def test_policy_code_must_start_with_dimension_code() -> None:
    document = toy()
    document["dimensions"][0]["policies"][1]["code"] = "E2"
    document["dimensions"][0]["policies"][1]["objectives"][0]["code"] = "E2X1"

    assert errors_of(document) == [
        "dimensions[0].policies[1] (E2).code: policy code 'E2' must start with its dimension code 'D'",
    ]


def test_policy_without_objectives_is_an_error() -> None:
    document = toy()
    document["dimensions"][0]["policies"][1]["objectives"] = []

    assert errors_of(document) == [
        "dimensions[0].policies[1] (D2).objectives: a policy needs at least one objective",
    ]


def test_dimension_without_policies_is_an_error() -> None:
    document = toy()
    document["dimensions"][0]["policies"] = []

    assert errors_of(document) == ["dimensions[0] (D).policies: must not be empty"]


def test_every_semantic_error_is_reported_at_once() -> None:
    document = toy()
    document["stages"][1]["code"] = "B"
    document["dimensions"][0]["policies"][1]["objectives"] = []
    document["dimensions"][0]["policies"][0]["objectives"][0]["stage"] = "Z"

    assert errors_of(document) == [
        "stages[1] (B).code: duplicate stage code 'B' (first used at stages[0])",
        "dimensions[0].policies[0].objectives[0] (D1B1).stage: "
        "stage 'Z' is not a declared stage (B, X)",
        "dimensions[0].policies[0].objectives[1] (D1G1).stage: "
        "stage 'G' is not a declared stage (B, X)",
        "dimensions[0].policies[1] (D2).objectives: a policy needs at least one objective",
    ]


# -- bytes that are not a framework ----------------------------------------------------------------


def test_empty_files() -> None:
    assert bytes_errors(b"") == ["(file): the file is empty"]
    assert bytes_errors(b"  \n\n") == ["(file): the file is empty"]
    assert bytes_errors(b"# only a comment\n") == ["(file): the file is empty"]
    assert bytes_errors(b"", filename="x.json") == ["(file): the file is empty"]


def test_binary_and_non_utf8_content() -> None:
    assert bytes_errors(b"\x89PNG\r\n\x1a\n\x00\x00") == [
        "(file): binary content (NUL bytes), not a text file"
    ]
    assert bytes_errors(b"name: caf\xe9\n") == ["line 1: not UTF-8 text (byte 0xe9)"]


def test_control_character_names_the_line() -> None:
    assert bytes_errors(b"id: toy\nname: a\x07b\n") == [
        "line 2: invalid YAML: control characters are not allowed (U+0007)"
    ]


def test_yaml_syntax_error_names_the_line() -> None:
    data = TOY_YAML.replace("- {code: G, name: Good", "- {code: G name: Good").encode()

    assert bytes_errors(data) == [
        "line 8, column 16: invalid YAML: did not find expected ',' or '}'"
    ]


def test_json_syntax_error_names_the_line() -> None:
    assert bytes_errors(b'{\n  "id": "toy",\n}', filename="toy.json") == [
        "line 3, column 1: invalid JSON: Expecting property name enclosed in double quotes"
    ]


def test_duplicate_keys_are_errors() -> None:
    assert bytes_errors(TOY_YAML.replace("version: 1\n", "version: 1\nversion: 2\n").encode()) == [
        "line 4, column 1: invalid YAML: duplicate key 'version'"
    ]
    assert bytes_errors(b'{"id": "a", "id": "b"}', filename="toy.json") == [
        "(file): invalid JSON: duplicate key 'id'"
    ]


def test_yaml_aliases_are_refused() -> None:
    data = b"a: &x [1, 2]\nb: *x\n"

    assert bytes_errors(data) == [
        "line 1, column 4: invalid YAML: anchors and aliases (&name, *name) are not allowed"
    ]


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("name: &n Toy model\ndescription: *n\n", "line 1, column 7"),  # a scalar's alias
        ("name: &n Toy model\n", "line 1, column 7"),  # an anchor nobody uses
        ("name: Toy\ndescription: *n\n", "line 2, column 14"),  # an alias of nothing
        ("base: &b {code: D}\nother:\n  <<: *b\n", "line 1, column 7"),  # a merge key
        ("stages:\n- &s {code: B}\n- *s\n", "line 2, column 3"),
        (TOY_YAML.replace("- code: D2\n", "- &p code: D2\n"), "line 19, column 5"),
    ],
)
def test_yaml_anchors_and_aliases_of_any_kind_are_refused_with_their_place(text, where) -> None:
    assert bytes_errors(text.encode()) == [
        f"{where}: invalid YAML: anchors and aliases (&name, *name) are not allowed"
    ]


def test_document_that_is_not_a_mapping() -> None:
    assert bytes_errors(b"- a\n- b\n") == ["(document): expected a mapping of fields, got a list"]
    assert bytes_errors(b"just text\n") == ["(document): expected a mapping of fields, got text"]
    assert bytes_errors(b"42", filename="x.json") == [
        "(document): expected a mapping of fields, got an integer"
    ]


def test_unknown_extension() -> None:
    assert bytes_errors(TOY_YAML.encode(), filename="toy.txt") == [
        "(file): unknown extension '.txt'; use .yaml, .yml or .json"
    ]
    assert bytes_errors(TOY_YAML.encode(), filename="toy") == [
        "(file): unknown extension '(none)'; use .yaml, .yml or .json"
    ]


def test_yml_extension_and_utf8_bom_are_accepted() -> None:
    fw = parse_framework(b"\xef\xbb\xbf" + TOY_YAML.encode(), filename="TOY.YML")

    assert fw.id == "toy"


def test_bad_yaml_date_is_an_error_not_a_crash() -> None:
    assert bytes_errors(b"version: 2024-13-45\n") == [
        "(file): invalid YAML: a value cannot be read: month must be in 1..12"
    ]


# -- files on disk ---------------------------------------------------------------------------------


def test_read_framework_file(tmp_path: Path) -> None:
    path = tmp_path / "toy.yaml"
    path.write_text(TOY_YAML, encoding="utf-8")

    assert read_framework_file(path).id == "toy"
    assert read_framework_file(str(path)).id == "toy"


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "absent.yaml"

    with pytest.raises(FrameworkFileError) as caught:
        read_framework_file(path)

    assert (caught.value.path, caught.value.errors) == (str(path), ["(file): no such file"])


def test_directory_instead_of_file(tmp_path: Path) -> None:
    with pytest.raises(FrameworkFileError) as caught:
        read_framework_file(tmp_path)

    assert caught.value.errors == ["(file): is a directory, not a file"]


def test_too_large_file(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_bytes(b"#" * (5 * 1024 * 1024 + 1))

    with pytest.raises(FrameworkFileError) as caught:
        read_framework_file(path)

    assert caught.value.errors == ["(file): too large (the limit is 5 MB)"]


def test_error_message_lists_every_error_under_the_file_name() -> None:
    document = toy()
    del document["id"]
    del document["name"]

    with pytest.raises(FrameworkFileError) as caught:
        parse_framework(json.dumps(document).encode(), filename="toy.json")

    assert str(caught.value) == (
        "toy.json: 2 errors\n  id: missing required field\n  name: missing required field"
    )


# -- property tests --------------------------------------------------------------------------------


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(data=st.binary(max_size=400), filename=st.sampled_from(["f.yaml", "f.json", "f.txt"]))
def test_arbitrary_bytes_raise_only_framework_file_error(data: bytes, filename: str) -> None:
    try:
        parse_framework(data, filename=filename)
    except FrameworkFileError as exc:
        assert exc.errors
        assert all(isinstance(line, str) and "\n" not in line for line in exc.errors)


YAMLISH = st.text(
    alphabet=st.sampled_from(list("abS1:-[]{},'\"&*!#|>?%@ \n\t.0")) | st.characters(),
    max_size=300,
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(text=YAMLISH, filename=st.sampled_from(["f.yaml", "f.json"]))
def test_arbitrary_text_raises_only_framework_file_error(text: str, filename: str) -> None:
    try:
        parse_framework(text.encode("utf-8", "surrogatepass"), filename=filename)
    except FrameworkFileError as exc:
        assert exc.errors


JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(["code", "name", "stage", "text", "x"]), children, max_size=4
        )
    ),
    max_leaves=30,
)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    field=st.sampled_from(
        ["format", "id", "version", "name", "stages", "dimensions", "translations"]
    ),
    value=JSONISH,
)
def test_any_wrong_value_in_a_valid_model_raises_only_framework_file_error(
    field: str, value: Any
) -> None:
    document = toy()
    document[field] = value
    try:
        parse_framework(json.dumps(document).encode(), filename="toy.json")
    except FrameworkFileError as exc:
        assert exc.errors
        assert all(": " in line for line in exc.errors)
