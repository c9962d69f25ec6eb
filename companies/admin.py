"""Industries, companies and their domains in the Django admin."""

from django.contrib import admin

from companies.models import Company, CompanyDomain, Industry


@admin.register(Industry)
class IndustryAdmin(admin.ModelAdmin):
    list_display = ["name", "name_ru", "name_de", "name_sv", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name", "name_ru", "name_de", "name_sv"]
    fields = ["name", "slug", "description", "name_ru", "description_ru", "name_de", "description_de",
              "name_sv", "description_sv"]


class CompanyDomainInline(admin.TabularInline):
    model = CompanyDomain
    extra = 1


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ["name", "industry", "country", "is_listed", "created_at"]
    list_filter = ["is_listed", "industry", "country"]
    search_fields = ["name", "aliases", "domains__domain"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [CompanyDomainInline]
    readonly_fields = ["created_by", "created_at"]
