from django.urls import path

from programs import views

app_name = "programs"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("program/<slug:slug>/", views.program, name="program"),
    path("wilayah/<str:code>/", views.regency, name="regency"),
    path("kelengkapan/", views.completeness, name="completeness"),
]
