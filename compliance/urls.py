from django.urls import path

from compliance import views
from compliance.enforcement import views as enforcement_views

app_name = "seller_compliance"

urlpatterns = [
    path("", views.center, name="center"),
    path("qualifications/new/", views.qualification_upload, name="qualification_upload"),
    path("qualifications/<int:pk>/", views.qualification_detail, name="qualification"),
    path("files/<int:pk>/", views.qualification_file, name="qualification_file"),
    path("reviews/", views.product_reviews, name="reviews"),
]

urlpatterns += [
    path("credit/", enforcement_views.credit, name="credit"),
    path("violations/<int:pk>/", enforcement_views.violation_detail, name="violation"),
    path("violations/files/<int:pk>/", enforcement_views.violation_file, name="violation_file"),
]
urlpatterns += [
    path("inspections/", enforcement_views.inspections, name="inspections"),
    path("inspections/<int:pk>/", enforcement_views.inspection_detail, name="inspection"),
    path("inspections/<int:pk>/pay-fee/", enforcement_views.inspection_fee_pay,
         name="inspection_fee_pay"),
    path("inspections/files/<int:pk>/", enforcement_views.inspection_file,
         name="inspection_file"),
]
