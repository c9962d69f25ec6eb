"""The site: settings, root URLs, the home page, health checks, accounts, search engines and the task runtime."""
