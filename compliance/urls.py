from django.urls import path

from compliance import views

app_name = "seller_compliance"

urlpatterns = [
    path("", views.center, name="center"),
    path("qualifications/new/", views.qualification_upload, name="qualification_upload"),
    path("qualifications/<int:pk>/", views.qualification_detail, name="qualification"),
    path("files/<int:pk>/", views.qualification_file, name="qualification_file"),
    path("reviews/", views.product_reviews, name="reviews"),
]
