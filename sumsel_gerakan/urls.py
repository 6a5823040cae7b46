from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from regencies import views as account_views
from sumsel_gerakan import views

admin.site.site_header = _("Dasbor Gerakan Serentak Sumsel — Admin")
admin.site.site_title = _("Admin Gerakan Serentak")
admin.site.index_title = _("Pengelolaan data")

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("bahasa/", views.set_language, name="set_language"),
    path("akun/masuk/", account_views.LoginView.as_view(), name="login"),
    path("akun/keluar/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("programs.api.urls")),
    path("", include("programs.urls")),
]
