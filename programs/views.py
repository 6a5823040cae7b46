"""Dashboard views: thin functions that parse filters, call selectors and render."""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from programs import selectors


@require_GET
def overview(request):
    """Every program with its headline indicator's province target and progress."""
    year = selectors.default_year()
    verified_only = not request.user.is_authenticated
    cards = selectors.program_cards(year=year, verified_only=verified_only)
    context = {"year": year, "cards": cards, "verified_only": verified_only}
    return render(request, "programs/overview.html", context)
