"""Baselines every `make bench` figure is divided by; included only when BENCH=1."""

from __future__ import annotations

from django.urls import path

from simulator.bench import views

app_name = "bench"
urlpatterns = [
    path("hello", views.hello, name="hello"),
    path("read", views.read, name="read"),
    path("insert", views.insert, name="insert"),
]
