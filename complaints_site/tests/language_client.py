"""Reading pages in a language in the tests."""


class LanguageClient:
    """A test client that reads every page in one language, as a person who chose it does: at the
    page's address in that language (/sv/…), with the language cookie set for the rest."""

    def __init__(self, client, language: str):
        from django.conf import settings

        self._client, self.language = client, language
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language

    def _address(self, path: str) -> str:
        from core.i18n_urls import localized_url

        return localized_url(path, self.language)

    def get(self, path, *args, **kwargs):
        return self._client.get(self._address(path), *args, **kwargs)

    def post(self, path, *args, **kwargs):
        return self._client.post(self._address(path), *args, **kwargs)

    def __getattr__(self, name):
        return getattr(self._client, name)


def in_language(client, language: str) -> LanguageClient:
    return LanguageClient(client, language)
