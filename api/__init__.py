"""The api app: open data, the public API, the company API and its webhooks."""
