"""A random token in every rendered form, so that a form sent twice (a double click, a retry) counts once."""

import uuid

from django import forms


class SubmissionTokenField(forms.CharField):
    """The hidden per-form token; a tampered value is dropped (a fresh token is used) rather than
    stopping the person with an error they cannot see or fix."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        super().__init__(required=False, **kwargs)

    def to_python(self, value):
        try:
            return uuid.UUID(str(value))
        except (TypeError, ValueError, AttributeError):
            return None

    def validate(self, value):
        pass

    def run_validators(self, value):
        pass


class TokenMixin(forms.Form):
    """A random token per rendered form, so a resubmission finds the first result."""

    submission_token = SubmissionTokenField()
    # Several of these forms share the complaint page: ids of their own keep each label on its own field.
    id_format = "id_%s"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", self.id_format)
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.fields["submission_token"].initial = uuid.uuid4()
