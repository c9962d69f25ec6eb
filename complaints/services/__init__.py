"""Every change of state, by part: lifecycle (the status, through one table), thread (messages, offers,
evaluation), participation, moderation, account_data (a member's own data). Import from the part."""
