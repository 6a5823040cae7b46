"""Saved views: /tersimpan/ lists a user's starred pages; POST stars or removes one."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from programs.dashboards import saved as saved_views


def _back(request, fallback: str) -> str:
    url = request.POST.get("url", "")
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}):
        return url
    return fallback


@never_cache  # user-specific: never in the page cache (programs/pagecache.py) nor a proxy
@require_http_methods(["GET", "POST"])
def saved_list(request):
    """GET: the user's saved views. POST (`url`, `judul`): star a dashboard page."""
    if not request.user.is_authenticated:
        next_url = request.POST.get("url") if request.method == "POST" else None
        return redirect_to_login(
            next_url if next_url and next_url.startswith("/") else request.path
        )
    if request.method == "POST":
        try:
            _view, created = saved_views.saved_view_create(
                user=request.user, url=request.POST.get("url", "")
            )
        except saved_views.SavedViewError as error:
            messages.error(request, str(error))
            return HttpResponseRedirect(reverse("programs:saved"))
        messages.success(
            request,
            _("Tampilan disimpan di Tersimpan.") if created else _("Tampilan ini sudah tersimpan."),
        )
        return HttpResponseRedirect(_back(request, reverse("programs:saved")))
    views = saved_views.saved_views_of(user=request.user)
    return render(request, "programs/dashboards/saved.html", {"views": views})


@never_cache
@require_POST
def saved_delete(request, pk: int):
    """Remove one of the user's saved views."""
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("programs:saved"))
    if saved_views.saved_view_delete(user=request.user, pk=pk):
        messages.success(request, _("Tampilan dihapus dari Tersimpan."))
    return HttpResponseRedirect(reverse("programs:saved"))
