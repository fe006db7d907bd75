"""What every collection command does with its step results: print them, fail when nothing worked."""

from collections.abc import Sequence

from django.core.management.base import CommandError

from providers.steps import StepResult


def report(command, results: Sequence[StepResult], *, what: str) -> None:
    """Print one line per step; exit non-zero with a one-line reason when every step failed."""
    for result in results:
        writer = command.stdout if result.ok else command.stderr
        writer.write(result.line())
    collecting = [r for r in results if not r.housekeeping]
    if collecting and not any(r.ok for r in collecting):
        raise CommandError(f"{what}: nothing stored — {collecting[0].error}")
    if not results:
        command.stdout.write(f"{what}: nothing to do")
