"""Schema: the customer's membership tier (regular by default) and the customers permissions."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0001_initial"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="customer",
            options={
                "ordering": ["-registered_at", "-id"],
                "permissions": [
                    ("view_customers", "Can look customers up in the console and the API"),
                    ("set_customer_tier", "Can set a customer's membership tier"),
                ],
                "verbose_name": "customer",
                "verbose_name_plural": "customers",
            },
        ),
        migrations.AddField(
            model_name="customer",
            name="tier",
            field=models.CharField(
                choices=[
                    ("regular", "Regular member"),
                    ("silver", "Silver member"),
                    ("gold", "Gold member"),
                    ("platinum", "Platinum member"),
                ],
                db_index=True,
                default="regular",
                max_length=16,
                verbose_name="membership tier",
            ),
        ),
    ]
