"""Complaints, their evidence and timeline in the Django admin (read mostly)."""

from django.contrib import admin

from complaints.models import Attachment, Complaint, StatusChange


class AttachmentInline(admin.TabularInline):
    model = Attachment
    extra = 0
    fields = ["original_name", "content_type", "size", "created_at"]
    readonly_fields = fields
    can_delete = False


class StatusChangeInline(admin.TabularInline):
    model = StatusChange
    extra = 0
    fields = ["created_at", "from_status", "to_status", "event", "params", "actor", "note"]
    readonly_fields = fields
    can_delete = False


@admin.register(Complaint)
class ComplaintAdmin(admin.ModelAdmin):
    """Read-mostly: status changes go through the services, never through this form."""

    list_display = ["title", "company", "status", "language", "published_at"]
    list_filter = ["status", "language"]
    search_fields = ["title", "company__name"]
    raw_id_fields = ["company", "author"]
    readonly_fields = ["status", "published_at", "created_at", "author", "submission_token"]
    inlines = [AttachmentInline, StatusChangeInline]

    def has_delete_permission(self, request, obj=None):
        # Nobody deletes a complaint; moderators hide it (DESIGN.md).
        return False
