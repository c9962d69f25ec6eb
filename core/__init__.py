"""Site-wide machinery with no domain of its own: caches, paging, rate limits, form checks, roles, URLs by language."""
