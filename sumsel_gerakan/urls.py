from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView

from accounts.forms import AdminLoginForm
from accounts.views import LogoutView
from programs.admin import check_every_admin
from sumsel_gerakan import views

admin.site.site_header = _("Dasbor Gerakan Serentak Sumsel — Admin")
admin.site.site_title = _("Admin Gerakan Serentak")
admin.site.index_title = _("Pengelolaan data")
admin.site.login_form = AdminLoginForm
check_every_admin(admin.site)  # every admin, third-party ones too (RequestChecks)

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("bahasa/", views.set_language, name="set_language"),
    path("akun/menu/", views.account_menu, name="account_menu"),
    path("akun/", include("accounts.urls")),
    # One password change for every user, throttled (accounts.forms.PasswordChangeForm):
    # the admin's own page would check the old password without any limit.
    path("admin/password_change/", RedirectView.as_view(pattern_name="password_change")),
    # One logout too: it empties the browser's cache of the site (evidence photos).
    path("admin/logout/", LogoutView.as_view()),
    path("admin/", admin.site.urls),
    path("api/v1/", include("programs.api.urls")),
    path("", include("programs.urls")),
]

handler400 = "sumsel_gerakan.views.bad_request"
handler403 = "sumsel_gerakan.views.permission_denied"
handler404 = "sumsel_gerakan.views.page_not_found"
handler500 = "sumsel_gerakan.views.server_error"
