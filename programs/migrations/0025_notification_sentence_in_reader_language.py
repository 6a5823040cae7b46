"""Notifications read in the reader's language: the sentence's source (`message`) and
what it names (`params`) are kept, and built when the bell is read. Rows stored before
keep their whole Indonesian sentence in `text` and a blank `message`, shown as stored;
reversed, the rows written since get their Indonesian sentence back into `text` (as the
rows before hold it) before the two fields go."""

import datetime as dt

from django.db import migrations, models


def sentences_back_into_text(apps, schema_editor):
    from django.utils import translation

    from programs.formats import date_label, month_year_label, number

    Notification = apps.get_model("programs", "Notification")
    written = Notification.objects.exclude(message="").select_related(
        "report__program", "report__regency"
    )
    with translation.override("id"):
        for row in written.iterator():
            params = {**row.params, "text": row.text, "reason": row.text}
            if (report := row.report) is not None:
                where = report.regency.name if report.regency_id else "Provinsi"
                label = report.program.acronym or report.program.name
                period = month_year_label(report.year, report.month)
                params["report"] = f"{label} — {where} — {period}"
            if "n" in params:
                params["n"] = number(params["n"])
            if "due" in params:
                params["due"] = date_label(dt.date.fromisoformat(params["due"]))
            row.text = (row.message % params)[:300]
            row.save(update_fields=["text"])


class Migration(migrations.Migration):
    dependencies = [
        ("programs", "0024_program_lead_agency_en"),
    ]

    operations = [
        migrations.AddField(
            model_name="notification",
            name="message",
            field=models.CharField(blank=True, max_length=200, verbose_name="kalimat"),
        ),
        migrations.AddField(
            model_name="notification",
            name="params",
            field=models.JSONField(blank=True, default=dict, verbose_name="rincian"),
        ),
        migrations.AlterField(
            model_name="notification",
            name="text",
            field=models.CharField(blank=True, max_length=300, verbose_name="isi"),
        ),
        migrations.RunPython(migrations.RunPython.noop, sentences_back_into_text),
    ]
