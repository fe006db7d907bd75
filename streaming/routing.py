from django.urls import path

from streaming.consumers import PriceFeedConsumer

websocket_urlpatterns = [
    path("ws/prices", PriceFeedConsumer.as_asgi()),
]
