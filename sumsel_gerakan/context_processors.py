from django.conf import settings


def site(request):
    from programs import permissions

    user = getattr(request, "user", None)
    return {
        "DEMO_MODE": settings.DEMO_MODE,
        "PUBLIC_DASHBOARD": settings.PUBLIC_DASHBOARD,
        "nav_reports": user is not None and permissions.is_operator(user),
        "nav_import": user is not None and permissions.can_import(user),
        "nav_verification": user is not None and permissions.can_use_verification_queue(user),
    }
