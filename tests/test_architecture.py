"""The house's floors stay as built: the import rules in pyproject.toml hold."""

import subprocess
import sys
import tomllib
from pathlib import Path

from django.apps import apps

ROOT = Path(__file__).resolve().parent.parent


def _importlinter() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]


def test_the_import_rules_hold():
    lint = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run([str(lint), "--no-cache", "--no-logo"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


def test_every_app_of_the_project_is_under_the_import_rules():
    ours = {config.name.split(".")[0] for config in apps.get_app_configs() if (ROOT / config.name).is_dir()}
    assert ours <= set(_importlinter()["root_packages"])


def test_providers_is_forbidden_every_other_app():
    contract = next(c for c in _importlinter()["contracts"] if c["source_modules"] == ["providers"])
    others = set(_importlinter()["root_packages"]) - {"providers", "cryptodt"}
    assert others <= set(contract["forbidden_modules"])
