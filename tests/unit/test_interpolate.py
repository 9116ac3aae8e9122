"""`${VAR}` in a presets file, as Compose substitutes it; unset without a default fails at load."""

from __future__ import annotations

from pathlib import Path

import pytest

from commands.compose import to_spec
from commands.errors import PresetError
from commands.interpolate import interpolate
from commands.presets import Presets

VARIABLES = {"TAG": "7", "PASSWORD": "s3cret", "EMPTY": ""}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("redis:${TAG}", "redis:7"),
        ("redis:$TAG", "redis:7"),
        ("${MISSING:-fallback}", "fallback"),
        ("${MISSING-fallback}", "fallback"),
        ("${EMPTY:-fallback}", "fallback"),
        ("${EMPTY-fallback}", ""),
        ("cost: $$5", "cost: $5"),
        ("no variables", "no variables"),
        ("${PASSWORD}${TAG}", "s3cret7"),
    ],
)
def test_substitution(text: str, expected: str) -> None:
    assert interpolate({"services": {"x": {"image": text}}}, VARIABLES)["services"]["x"]["image"] == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("${MISSING}", "services.x.image uses ${MISSING}, which is not set"),
        ("$MISSING", "services.x.image uses ${MISSING}, which is not set"),
        ("${MISSING:?set the password first}", "services.x.image: set the password first."),
        ("${EMPTY:?}", "services.x.image: EMPTY must be set."),
        ("${not valid}", "is not a valid variable; write $$ for a plain $"),
    ],
)
def test_errors(text: str, message: str) -> None:
    with pytest.raises(PresetError) as caught:
        interpolate({"services": {"x": {"image": text}}}, VARIABLES)
    assert message in caught.value.message


def test_a_presets_file_takes_its_secrets_from_the_environment(tmp_path: Path) -> None:
    text = """
services:
  db:
    image: mysql:${TAG:-5.7}
    environment:
      MYSQL_ROOT_PASSWORD: ${PASSWORD}
    ports: ["${PORT:-3306}:3306"]
"""
    presets = Presets.parse(text, base=tmp_path, source="p.yml", variables=VARIABLES)
    spec = to_spec("db", presets.get("db"), base=tmp_path)
    assert spec.image == "mysql:7"
    assert spec.environment == {"MYSQL_ROOT_PASSWORD": "s3cret"}
    assert spec.ports == {"3306/tcp": [("", 3306)]}
    with pytest.raises(PresetError, match=r"^p\.yml: services\.db\.environment\.MYSQL_ROOT_PASSWORD uses"):
        Presets.parse(text, base=tmp_path, source="p.yml", variables={})
