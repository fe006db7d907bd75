# The operator's provider settings moved to the providers app: copy the rows, drop the old tables.

from django.db import migrations

FIELDS = {
    "ProviderSetting": ["name", "enabled", "priority", "budget_per_minute", "budget_per_month", "api_key", "updated_at"],
    "CapabilitySetting": ["capability", "strategy", "order", "updated_at"],
}


def copy_rows(apps, schema_editor):
    for model, fields in FIELDS.items():
        old = apps.get_model("markets", model)
        new = apps.get_model("providers", model)
        new.objects.bulk_create([new(**{f: getattr(row, f) for f in fields}) for row in old.objects.all()])


class Migration(migrations.Migration):

    dependencies = [
        ("markets", "0004_provider_capability_news"),
        ("providers", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(copy_rows, migrations.RunPython.noop),
        migrations.DeleteModel(name="CapabilitySetting"),
        migrations.DeleteModel(name="ProviderSetting"),
    ]
