from django.urls import path

from sentiment.api import views

urlpatterns = [
    path("sentiment/fear-greed", views.FearGreedView.as_view(), name="fear-greed"),
    path("sentiment/analyze", views.AnalyzeView.as_view(), name="sentiment-analyze"),
    path("sentiment/summary", views.SentimentSummaryView.as_view(), name="sentiment-summary"),
    path("news", views.NewsView.as_view(), name="news"),
]
