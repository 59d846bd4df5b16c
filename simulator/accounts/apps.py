from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "simulator.accounts"
    label = "accounts"
    verbose_name = "Programs and roles"
    default_auto_field = "django.db.models.BigAutoField"
