"""The container facts that matter for a Hugging Face Docker Space (docker cannot build here)."""

import re
import shlex

import pytest

from tests.platform.processes import ROOT


@pytest.fixture(scope="module")
def instructions() -> list[tuple[str, str]]:
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    parsed = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            parsed.append((keyword.upper(), rest.strip()))
    return parsed


def values(instructions, keyword: str) -> list[str]:
    return [rest for kw, rest in instructions if kw == keyword]


def env(instructions) -> dict[str, str]:
    found = {}
    for rest in values(instructions, "ENV"):
        for item in shlex.split(rest):
            name, _, value = item.partition("=")
            found[name] = value
    return found


def test_it_exposes_port_7860_and_serves_on_it(instructions):
    assert values(instructions, "EXPOSE") == ["7860"]
    assert env(instructions)["PORT"] == "7860"
    assert env(instructions)["HOST"] == "0.0.0.0"


def test_it_runs_as_uid_1000(instructions):
    assert values(instructions, "USER")[-1] in {"1000", "1000:1000"}
    assert any("--uid 1000" in run for run in values(instructions, "RUN"))


def test_it_starts_through_the_same_script_as_make_run(instructions):
    cmd = values(instructions, "CMD")[-1]
    assert cmd.startswith("[")
    assert "bin/serve.py" in cmd
    assert "bin/serve.py" in (ROOT / "Makefile").read_text()


def test_it_runs_in_production_mode_behind_a_tls_proxy(instructions):
    assert env(instructions)["DEBUG"] == "0"
    assert env(instructions)["SECURE_PROXY_SSL_HEADER"] == "1"
    assert env(instructions)["TRUSTED_PROXY_HOPS"] == "1"
    assert "SECRET_KEY" not in env(instructions), "a secret must not be baked into the image"


def test_static_files_are_collected_at_build(instructions):
    assert any("collectstatic" in run for run in values(instructions, "RUN"))


def test_torch_comes_from_the_cpu_wheel_index_at_the_pinned_version(instructions):
    runs = " ".join(values(instructions, "RUN"))
    assert "https://download.pytorch.org/whl/cpu" in runs
    assert re.search(r"grep '\^torch==' requirements/base.txt", runs)
    assert re.search(r"^torch==[0-9.]+$", (ROOT / "requirements" / "base.txt").read_text(), re.M)


def test_the_image_installs_runtime_requirements_only(instructions):
    runs = " ".join(values(instructions, "RUN"))
    assert "requirements/base.txt" in runs
    assert "dev.txt" not in runs


def test_the_python_image_matches_the_development_python(instructions):
    import sys

    assert values(instructions, "FROM")[0].startswith(f"python:{sys.version_info.major}.{sys.version_info.minor}-")


def test_data_lives_on_the_space_persistent_volume(instructions):
    assert env(instructions)["DATA_DIR"] == "/data"
    assert any("mkdir -p /data" in run and "chown 1000:1000 /data" in run for run in values(instructions, "RUN"))
    # The model baked into the image must not sit under the /data mount, which hides it.
    assert not env(instructions)["SENTIMENT_MODEL_DIR"].startswith("/data")


def test_static_files_and_the_model_are_prepared_at_build(instructions):
    runs = values(instructions, "RUN")
    assert any("collectstatic" in run for run in runs)
    assert any("manage.py fetch_model" in run for run in runs)
    serve = (ROOT / "bin" / "serve.py").read_text()
    assert 'staticfiles.json").exists()' in serve  # no second collectstatic at each start


def test_the_image_installs_runtime_dependencies_only(instructions):
    runs = " ".join(values(instructions, "RUN"))
    assert "requirements/base.txt" in runs and "dev.txt" not in runs
    base = (ROOT / "requirements" / "base.txt").read_text().lower()
    for tool in ("pytest", "ruff", "uvicorn", "daphne", "a2wsgi"):
        assert not re.search(rf"^{tool}==", base, re.M), tool
