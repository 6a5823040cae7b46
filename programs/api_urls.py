"""Routes of the read-only JSON API, included under /api/v1/ (namespace `api`)."""

from django.urls import path, re_path

from programs.views import api

app_name = "api"

urlpatterns = [
    path("", api.index, name="index"),
    path("programs/", api.programs, name="programs"),
    path("programs/<slug:slug>/", api.program, name="program"),
    path("regencies/", api.regencies, name="regencies"),
    path("targets/", api.targets, name="targets"),
    path("progress/", api.progress, name="progress"),
    path("realizations/", api.realizations, name="realizations"),
    path("openapi.json", api.openapi, name="openapi"),
    re_path(r"^(?P<path>.*)$", api.not_found, name="not_found"),
]
