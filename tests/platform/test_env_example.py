""".env.example lists every variable that cryptodt reads, and the same ones as docs/API.md."""

import re

from tests.platform.processes import ROOT

READERS = re.compile(r"""\benv(?:str|bool|int|float|list|rate)\(\s*["']([A-Z0-9_]+)["']""")
OS_ENVIRON = re.compile(r"""os\.environ(?:\.get)?[(\[]\s*["']([A-Z0-9_]+)["']""")
NOT_CONFIGURATION = {"DJANGO_SETTINGS_MODULE"}


def documented() -> set[str]:
    text = (ROOT / ".env.example").read_text()
    return set(re.findall(r"^([A-Z0-9_]+)=", text, re.M))


def read_by_the_code() -> set[str]:
    names: set[str] = set()
    for path in ROOT.glob("**/*.py"):
        relative = path.relative_to(ROOT).parts
        if relative[0] in {".venv", "tests", "bench"} or "migrations" in relative:
            continue
        text = path.read_text()
        names |= set(READERS.findall(text)) | set(OS_ENVIRON.findall(text))
    return names - NOT_CONFIGURATION


def test_every_variable_the_code_reads_is_in_env_example():
    missing = read_by_the_code() - documented()
    assert not missing, f"add these to .env.example (and README's table): {sorted(missing)}"


def contract_variables() -> set[str]:
    """The names in the first column of docs/API.md's configuration table."""
    table = (ROOT / "docs" / "API.md").read_text().split("## Configuration", 1)[1].split("\n## ", 1)[0]
    first_cells = [line.split("|")[1] for line in table.splitlines() if line.startswith("| `")]
    return {name for cell in first_cells for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", cell)}


def test_every_variable_of_the_contract_is_in_env_example():
    contract = contract_variables()
    assert contract, "no variables found in docs/API.md's configuration table"
    assert not contract - documented()


def test_every_variable_in_env_example_is_in_the_contract():
    missing = documented() - contract_variables()
    assert not missing, f"docs/API.md's configuration table lacks {sorted(missing)}"


def test_every_variable_in_env_example_is_in_the_readme():
    readme = (ROOT / "README.md").read_text()
    missing = {name for name in documented() if f"`{name}`" not in readme}
    assert not missing, f"README's env table lacks {sorted(missing)}"
