import json

from django.core.management.base import BaseCommand, CommandError

from cryptodt import diagnostics


class Command(BaseCommand):
    help = "Run every self-check (as GET /api/diagnostics); --fix applies the safe fixes first."

    def add_arguments(self, parser):
        parser.add_argument("--fix", action="store_true", help="apply the safe fixes, then check again")
        parser.add_argument("--json", action="store_true", help="print the report as JSON")

    def handle(self, *args, fix=False, json=False, **options):
        report = diagnostics.fix_all() if fix else diagnostics.run_all()
        if json:
            self.stdout.write(_json(report))
        else:
            for name, what in report.get("fixed", {}).items():
                self.stdout.write(f"fixed {name}: {what}")
            for name, check in report["checks"].items():
                mark = "ok  " if check["ok"] else ("FIX " if check["fixable"] else "FAIL")
                self.stdout.write(f"{mark} {name}: {check['detail']}")
        failing = [name for name, check in report["checks"].items() if not check["ok"]]
        if failing:
            hint = "" if fix or not any(report["checks"][n]["fixable"] for n in failing) else " (try --fix)"
            raise CommandError(f"diagnose: {len(failing)} checks failing: {', '.join(failing)}{hint}")
        self.stdout.write(f"diagnose: all {len(report['checks'])} checks pass")


def _json(report: dict) -> str:
    return json.dumps(report, indent=2, default=str)
