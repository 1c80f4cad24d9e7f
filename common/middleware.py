from django.conf import settings
from django.utils import translation


class PlatformLocaleMiddleware:
    """Chinese first. Pages use the language picked with the switch (cookie), otherwise
    zh-hans whatever the browser's Accept-Language says. API clients (the buyer app, ERP
    systems) choose with Accept-Language; zh-hans when they don't."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in self.supported and request.path.startswith("/api/"):
            if request.headers.get("Accept-Language"):
                language = translation.get_language_from_request(request)
        if language not in self.supported:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response
