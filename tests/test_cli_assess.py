"""`vertebra assess` and `vertebra framework export/validate`: no database needed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from vertebra.cli import main


def write(tmp_path: Path, name: str, content: str | bytes) -> str:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return str(path)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_assess_json_reports_stages_progress_gaps_and_explanation(tmp_path, capsys):
    path = write(
        tmp_path,
        "answers.csv",
        "objective,status,na_justification\nL1S1,achieved,\nL1S2,achieved,\nL1M1,achieved,\n"
        "L1M2,not_applicable,Not for a city this size\n",
    )
    code, out, err = run(capsys, "assess", path, "--framework", "smr-rmm", "--format", "json")
    assert (code, err) == (0, "")
    result = json.loads(out)
    assert list(result) == ["framework", "version", "overall", "dimensions", "policies"]
    assert (result["framework"], result["version"]) == ("smr-rmm", 1)
    assert result["overall"] == {"stage": None}
    assert result["dimensions"] == {
        "L": {"stage": None},
        "P": {"stage": None},
        "I": {"stage": None},
        "C": {"stage": None},
    }
    assert list(result["policies"]) == ["L1", "L2", "L3", "L4", "P1", "P2", "I1", "I2", "C1", "C2"]
    assert result["policies"]["L1"] == {
        "stage": "S",
        "next_stage": "M",
        "next_stage_progress": 0.25,
        "gaps": ["L1M3", "L1M4", "L1M5"],
        "explanation": "L1 stands at Starting; Moderate needs L1M3, L1M4 and L1M5.",
    }
    # L2 has no Starting objective, so its Starting stage is met vacuously.
    assert result["policies"]["L2"]["stage"] == "S"
    assert result["policies"]["L3"]["stage"] is None


def test_assess_accepts_yaml_and_json_mappings_and_optional_csv_columns(tmp_path, capsys):
    csv_path = write(
        tmp_path,
        "a.csv",
        'objective,status,progress,evidence,notes\nL3S1,achieved,,"Strategy, 2025",ok\n'
        "L3M1,in_progress,40,,\n",
    )
    yaml_path = write(tmp_path, "a.yaml", "L3S1: achieved\nL3M1: in_progress\n")
    json_path = write(tmp_path, "a.json", '{"L3S1": "achieved", "L3M1": "in_progress"}')
    outputs = []
    for path in (csv_path, yaml_path, json_path):
        code, out, err = run(capsys, "assess", path, "--format", "json")
        assert (code, err) == (0, "")
        outputs.append(json.loads(out))
    assert outputs[0] == outputs[1] == outputs[2]
    assert outputs[0]["policies"]["L3"]["stage"] == "S"
    assert outputs[0]["policies"]["L3"]["gaps"] == ["L3M1"]


def test_assess_target_adds_target_and_objectives_to_target(tmp_path, capsys):
    path = write(tmp_path, "a.csv", "objective,status\nL1S1,achieved\nL1S2,achieved\n")
    code, out, _ = run(capsys, "assess", path, "--format", "json", "--target", "L1=M,P1=S")
    assert code == 0
    policies = json.loads(out)["policies"]
    assert policies["L1"]["target"] == "M"
    assert policies["L1"]["to_target"] == ["L1M1", "L1M2", "L1M3", "L1M4", "L1M5"]
    assert policies["P1"]["target"] == "S"
    assert policies["P1"]["to_target"] == ["P1S1", "P1S2", "P1S3"]
    assert "target" not in policies["L2"]


def test_assess_target_for_every_policy(tmp_path, capsys):
    path = write(tmp_path, "a.csv", "objective,status\n")
    code, out, _ = run(capsys, "assess", path, "--format", "json", "--target", "S")
    assert code == 0
    policies = json.loads(out)["policies"]
    assert {p["target"] for p in policies.values()} == {"S"}
    assert policies["L2"]["to_target"] == []
    assert policies["I2"]["to_target"] == ["I2S1", "I2S2", "I2S3"]


def test_assess_table_shows_grid_stages_and_explanations(tmp_path, capsys):
    path = write(tmp_path, "a.csv", "objective,status\nL1S1,achieved\nL1S2,achieved\n")
    code, out, _ = run(capsys, "assess", path, "--target", "L1=M")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "SMR Resilience Maturity Model (version 1)"
    assert lines[1] == "Answered: 2 of 96 objectives"
    assert lines[3] == "Policy        S      M      A      R      T   Stage"
    assert "L1          2/2    0/5    0/2    0/1    0/1   S" in lines
    assert "L2            -    0/1    0/2      -    0/2   S" in lines
    assert "L1 stands at Starting; Moderate needs L1M1, L1M2, L1M3, L1M4 and L1M5." in lines
    assert "    to reach the target Moderate (M): L1M1, L1M2, L1M3, L1M4, L1M5" in lines
    assert "Overall: none yet" in lines


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "a.csv",
            "objective,status\nL1S1,achieved\nXX9,achieved\n",
            "line 3, column 1 (objective): unknown objective code 'XX9'",
        ),
        (
            "a.csv",
            "objective,status\nL1S1,done\n",
            "line 2, column 2 (status): unknown status 'done' for L1S1; use one of not_started, in_progress, achieved, not_applicable",
        ),
        (
            "a.csv",
            "objective,status\nL1S1,achieved\nL1S1,in_progress\n",
            "line 3, column 1 (objective): objective L1S1 is answered twice (first at line 2)",
        ),
        (
            "a.csv",
            "code,state\nL1S1,achieved\n",
            "line 1: the header must name the columns 'objective' and 'status' (missing: objective, status; found: code, state)",
        ),
        (
            "a.csv",
            "objective,status,colour\nL1S1,achieved,red\n",
            "line 1, column 3: unknown column 'colour'",
        ),
        ("a.csv", "", "the file is empty"),
        (
            "a.csv",
            b"\x00\x01\x02binary",
            "this is a binary file, not a CSV, JSON or YAML text file",
        ),
        (
            "a.csv",
            b"objective,status\nL1S1,achiev\xe9d\n",
            "the file is not UTF-8 text (byte 29); save it as UTF-8",
        ),
        (
            "a.json",
            '["L1S1", "achieved"]',
            'the document must be a mapping of objective code to status, e.g. {"L1S1": "achieved"}',
        ),
        (
            "a.json",
            '{"L1S1": 3}',
            "entry 'L1S1': the value must be a status such as \"achieved\" or a mapping with a status, not a number",
        ),
        (
            "a.json",
            '{"L1S1": "achieved",',
            "line 1: not valid JSON: Expecting property name enclosed in double quotes",
        ),
        ("a.yaml", "L1S1: [achieved\n", "not valid YAML"),
        (
            "a.csv",
            "objective,status,progress\nL1S1,in progress,1e999\n",
            "progress '1e999' must be a whole number from 0 to 100",
        ),
        (
            "a.csv",
            "objective,status,progress\nL1S1,in progress,nan\n",
            "progress 'nan' must be a whole number from 0 to 100",
        ),
        ("a.txt", "L1S1,achieved", "unknown file type '.txt'; use .csv, .json, .yaml or .yml"),
    ],
)
def test_assess_bad_input_exits_2_naming_file_line_and_problem(
    tmp_path, capsys, name, content, message
):
    path = write(tmp_path, name, content)
    code, out, err = run(capsys, "assess", path)
    assert code == 2
    assert out == ""
    assert f"vertebra: {path}: " in err
    assert message in err
    assert "Traceback" not in err


@pytest.mark.django_db
def test_assess_missing_file_and_unknown_framework_exit_2(tmp_path, capsys):
    missing = str(tmp_path / "nope.csv")
    code, _, err = run(capsys, "assess", missing)
    assert (code, err) == (2, f"vertebra: {missing}: no such file\n")
    path = write(tmp_path, "a.csv", "objective,status\n")
    code, _, err = run(capsys, "assess", path, "--framework", "no-such-model")
    assert code == 2
    assert err.startswith("vertebra: --framework: ")
    assert "no-such-model" in err


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("Z", "vertebra: --target 'Z': unknown stage; use one of S, M, A, R, T\n"),
        (
            "L9=A",
            "vertebra: --target: unknown policy 'L9'; use one of L1, L2, L3, L4, P1, P2, I1, I2, C1, C2\n",
        ),
        ("L1=Q", "vertebra: --target: unknown stage 'Q' for L1; use one of S, M, A, R, T\n"),
        ("L1=A,L1=M", "vertebra: --target: policy L1 is given twice\n"),
    ],
)
def test_assess_bad_target_exits_2(tmp_path, capsys, target, message):
    path = write(tmp_path, "a.csv", "objective,status\n")
    code, out, err = run(capsys, "assess", path, "--target", target)
    assert (code, out, err) == (2, "", message)


def test_unknown_option_exits_2_with_usage(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["assess", "x.csv", "--format", "xml"])
    assert exc.value.code == 2
    assert "invalid choice: 'xml'" in capsys.readouterr().err


def test_framework_export_prints_the_model_in_order(capsys):
    code, out, _ = run(capsys, "framework", "export", "smr-rmm", "--format", "json")
    assert code == 0
    model = json.loads(out)
    assert list(model) == [
        "format",
        "id",
        "version",
        "name",
        "description",
        "stages",
        "dimensions",
        "translations",
    ]
    assert (model["id"], model["version"]) == ("smr-rmm", 1)
    assert [s["code"] for s in model["stages"]] == ["S", "M", "A", "R", "T"]
    assert [s["name"] for s in model["stages"]] == [
        "Starting",
        "Moderate",
        "Advanced",
        "Robust",
        "verTebrate",
    ]
    assert list(model["stages"][0]) == ["code", "name", "description", "translations"]
    assert [d["code"] for d in model["dimensions"]] == ["L", "P", "I", "C"]
    first = model["dimensions"][0]["policies"][0]
    assert list(first) == ["code", "name", "objectives", "translations"]
    assert first["name"] == "Municipality, cross-sectiorial and multi-governance collaboration"
    objective = first["objectives"][0]
    assert {key: objective[key] for key in ("code", "stage", "text")} == {
        "code": "L1S1",
        "stage": "S",
        "text": "Establish a working team responsible for resilience issues in the city",
    }
    assert list(objective["translations"]) == ["es", "it", "de", "fr", "nb", "da", "lv"]
    assert objective["translations"]["es"] == {
        "text": "Crear un equipo de trabajo responsable de las cuestiones de resiliencia en la ciudad"
    }
    codes = [o["code"] for d in model["dimensions"] for p in d["policies"] for o in p["objectives"]]
    assert len(codes) == 96
    assert codes[-1] == "C2T2"


def test_framework_validate_valid_and_invalid_files(tmp_path, capsys):
    shipped = Path(__file__).resolve().parents[1] / "vertebra/frameworks/data/smr-rmm.yaml"
    code, out, err = run(capsys, "framework", "validate", str(shipped))
    assert (code, err) == (0, "")
    assert out == (
        f"{shipped}: valid; smr-rmm version 1: 5 stages, 4 dimensions, 10 policies, 96 objectives\n"
    )
    text = shipped.read_text(encoding="utf-8")
    broken = write(
        tmp_path,
        "broken.yaml",
        text.replace("code: L1M2\n      stage: M", "code: L1M2\n      stage: X", 1),
    )
    code, out, err = run(capsys, "framework", "validate", broken)
    assert code == 2
    assert out == ""
    assert err.startswith(f"vertebra: {broken}: ")
    assert "L1M2" in err
    assert "Traceback" not in err


def test_assess_runs_as_a_process_without_a_database(tmp_path):
    path = write(tmp_path, "a.csv", "objective,status\nL1S1,achieved\n")
    data_dir = tmp_path / "data"
    env = {**os.environ, "VERTEBRA_DATA_DIR": str(data_dir)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    result = subprocess.run(
        [sys.executable, "-m", "vertebra.cli", "assess", path, "--format", "json"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["policies"]["L1"]["stage"] is None
    assert not data_dir.exists()
