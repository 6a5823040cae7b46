from django.conf import settings


def site(request):
    from programs import permissions

    role = permissions.role_of(request.user) if hasattr(request, "user") else None
    return {
        "DEMO_MODE": settings.DEMO_MODE,
        "PUBLIC_DASHBOARD": settings.PUBLIC_DASHBOARD,
        "nav_reports": role == permissions.Role.OPERATOR,
        "nav_import": role in (permissions.Role.OPERATOR, permissions.Role.ADMIN),
        "nav_verification": role in (permissions.Role.VERIFIKATOR, permissions.Role.ADMIN),
    }
