"""The complaints app: the complaint, its thread, taking part, incidents, notifications and moderation."""
