from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from common import views as common_views
from shop.views import public as public_views

urlpatterns = [
    path("", common_views.home, name="home"),
    path("healthz", common_views.healthz, name="healthz"),
    path("favicon.ico", common_views.favicon),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("seller/compliance/", include("compliance.urls")),
    path("seller/after-sales/", include("disputes.seller_urls")),
    path("seller/promotions/", include("promotions.urls")),
    path("seller/academy/", include("academy.urls")),
    path("seller/notifications/", include("common.notification_views")),
    path("seller/", include("shop.urls")),
    path("support/", include("disputes.urls")),
    path("api/", include("config.api_urls")),
    path("", include((public_views.urlpatterns, "shop"), namespace="public")),
]

handler400 = "common.views.bad_request"
handler403 = "common.views.permission_denied"
handler404 = "common.views.page_not_found"
handler500 = "common.views.server_error"

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.STATIC_URL, document_root=settings.STATIC_ROOT)
