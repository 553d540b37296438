"""Schema: whether an item's pool is reserved in stock (items published before this stay unset and
reserve from normal stock per order, as they did)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("flash", "0002_flash_role_permissions"),
    ]

    operations = [
        migrations.AddField(
            model_name="flashitem",
            name="pool_reserved",
            field=models.BooleanField(default=False, verbose_name="pool reserved in stock"),
        ),
    ]
