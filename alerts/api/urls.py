from django.urls import path

from alerts.api import views

urlpatterns = [
    path("alerts", views.AlertsView.as_view(), name="alerts"),
    path("alerts/<int:pk>", views.AlertView.as_view(), name="alert"),
    path("alerts/<int:pk>/firings", views.FiringsView.as_view(), name="alert-firings"),
    path("alerts/<int:pk>/deliveries", views.DeliveriesView.as_view(), name="alert-deliveries"),
]
