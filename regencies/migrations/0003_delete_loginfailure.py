from django.db import migrations


class Migration(migrations.Migration):
    """Login throttling moved to django-axes (accounts app): the hand-written table goes."""

    dependencies = [
        ("regencies", "0002_loginfailure"),
    ]

    operations = [
        migrations.DeleteModel(name="LoginFailure"),
    ]
