from __future__ import annotations

from django.contrib import admin

from simulator.accounts.models import Membership, Program


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["user"]


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "program", "role", "created"]
    list_filter = ["role", "program"]
    search_fields = ["user__username", "user__email", "program__name"]
    autocomplete_fields = ["user", "program"]
