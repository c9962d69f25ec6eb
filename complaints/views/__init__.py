"""The complaints app's pages, by part: complaint (list, filing, the page), thread, participation,
companies (a company's page, the business inbox), incidents, notifications, moderation, account."""
