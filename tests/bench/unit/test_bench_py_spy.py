"""The bench's profiles use the py-spy installed beside the interpreter running it."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.bench.processes import py_spy_command


def test_profiles_use_the_py_spy_beside_the_interpreter_before_the_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    beside = tmp_path / "venv" / "bin"
    beside.mkdir(parents=True)
    (beside / "py-spy").write_text("#!/bin/sh\n")
    (beside / "py-spy").chmod(0o755)
    monkeypatch.setattr(sys, "executable", str(beside / "python"))
    monkeypatch.setenv("PATH", str(tmp_path / "elsewhere"))

    assert py_spy_command() == str(beside / "py-spy")


def test_profiling_without_py_spy_says_how_to_install_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "executable", str(tmp_path / "python"))
    monkeypatch.setenv("PATH", str(tmp_path / "elsewhere"))

    with pytest.raises(SystemExit, match="pip install py-spy"):
        py_spy_command()
