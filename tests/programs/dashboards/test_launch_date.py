"""A program without a launch date (Mandiri Energi) says so in the reader's language:
the sentence is the page's, not data stored in Indonesian."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from programs.models import Program
from tests.helpers import element_text, find, login, page


def launch_line(client, slug):
    return element_text(find(page(client.get(f"/program/{slug}/")), "p", class_="program-meta"))


def test_an_unknown_launch_date_is_said_in_english_on_english_pages(reference_data):
    client = login()
    assert launch_line(client, "mandiri-energi") == "Tanggal peluncuran tidak diketahui"
    client.cookies["bahasa"] = "en"
    assert launch_line(client, "mandiri-energi") == "Launch date unknown"


def test_a_launch_note_written_by_an_admin_is_shown_as_written(reference_data):
    Program.objects.filter(slug="mandiri-energi").update(launch_note="Sejak 2022")
    client = login()
    client.cookies["bahasa"] = "en"
    assert launch_line(client, "mandiri-energi") == "Sejak 2022"


@pytest.mark.django_db(transaction=True)
def test_the_migration_clears_the_stored_sentence_only():
    before = [("programs", "0019_saved_views_follow_the_calendar")]
    after = [("programs", "0020_unknown_launch_is_no_note")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps.get_model("programs", "Program")
    old.objects.create(
        slug="energi", name="Energi", order=1, launch_note="Tanggal peluncuran tidak diketahui"
    )
    old.objects.create(slug="gsmp", name="GSMP", order=2, launch_note="Sejak 2021")
    executor = MigrationExecutor(connection)
    executor.migrate(after)
    new = executor.loader.project_state(after).apps.get_model("programs", "Program")
    notes = dict(new.objects.values_list("slug", "launch_note"))
    assert notes == {"energi": "", "gsmp": "Sejak 2021"}
    MigrationExecutor(connection).migrate(executor.loader.graph.leaf_nodes())
