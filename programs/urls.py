from django.urls import path, register_converter

from programs.dashboards import saved_views as saved
from programs.dashboards import views as dashboards
from programs.models import is_valid_period
from programs.reporting import evidence_views as evidence
from programs.reporting import views as reports
from programs.spreadsheets import export_views as exports
from programs.spreadsheets import import_views as imports


class PeriodConverter:
    regex = r"[0-9]{4}-(0[1-9]|1[0-2])"

    def to_python(self, value):
        year, month = (int(part) for part in value.split("-"))
        if not is_valid_period(year, month):
            raise ValueError("no such reporting year")  # the URL does not match: 404
        return year, month

    def to_url(self, value):
        year, month = value
        return f"{year:04d}-{month:02d}"


class RegencyCodeConverter:
    regex = r"[0-9]{2}\.[0-9]{2}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(PeriodConverter, "period")
register_converter(RegencyCodeConverter, "kode")
register_converter(exports.FormatConverter, "unduhan")

app_name = "programs"

urlpatterns = [
    path("", dashboards.overview, name="overview"),
    path("program/<slug:slug>/", dashboards.program, name="program"),
    path("wilayah/<str:code>/", dashboards.regency, name="regency"),
    path("kelengkapan/", dashboards.completeness, name="completeness"),
    path("ringkasan/cetak/", dashboards.meeting_summary, name="meeting_summary"),
    path("tersimpan/", saved.saved_list, name="saved"),
    path("tersimpan/<int:pk>/hapus/", saved.saved_delete, name="saved_delete"),
    path("laporan/", reports.my_reports, name="my_reports"),
    path(
        "laporan/<kode:code>/<slug:slug>/<period:period>/",
        reports.report_entry,
        name="report_entry",
    ),
    path(
        "laporan/<kode:code>/<slug:slug>/<period:period>/periksa/",
        reports.report_check,
        name="report_check",
    ),
    path(
        "laporan/<kode:code>/<slug:slug>/<period:period>/baris/",
        reports.report_new_row,
        name="report_new_row",
    ),
    path(
        "laporan/<kode:code>/<slug:slug>/<period:period>/status/",
        reports.report_status,
        name="report_status",
    ),
    path(
        "laporan/<kode:code>/<slug:slug>/<period:period>/lampiran/",
        evidence.attachment_upload,
        name="attachment_upload",
    ),
    path(
        "laporan/<kode:code>/<slug:slug>/<period:period>/komentar/",
        evidence.comment_add,
        name="comment_add",
    ),
    path("lampiran/<int:pk>/", evidence.attachment_file, name="attachment"),
    path("lampiran/<int:pk>/kecil/", evidence.attachment_thumbnail, name="attachment_thumbnail"),
    path("lampiran/<int:pk>/hapus/", evidence.attachment_delete, name="attachment_delete"),
    path("lampiran/<int:pk>/publik/", evidence.attachment_public, name="attachment_public"),
    path("notifikasi/", evidence.notification_list, name="notifications"),
    path("notifikasi/lonceng/", evidence.notification_bell, name="notification_bell"),
    path("verifikasi/", reports.verification_queue, name="verification"),
    path("impor/", imports.upload, name="import"),
    path("impor/templat.xlsx", imports.template, name="import_template"),
    path("impor/<uuid:token>/terapkan/", imports.apply, name="import_apply"),
    # Exports of each dashboard table and the raw realizations (spreadsheets/export_views.py)
    path("unduh/rapor.<unduhan:fmt>", exports.scorecard, name="export_scorecard"),
    path("unduh/program/<slug:slug>.<unduhan:fmt>", exports.program, name="export_program"),
    path("unduh/program/<slug:slug>/kinerja.xlsx", exports.performance, name="export_performance"),
    path("unduh/wilayah/<kode:code>.<unduhan:fmt>", exports.regency, name="export_regency"),
    path("unduh/kelengkapan.<unduhan:fmt>", exports.completeness, name="export_completeness"),
    path("unduh/realisasi.<unduhan:fmt>", exports.realizations, name="export_realizations"),
]
