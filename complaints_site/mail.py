"""Mail that is already written (allauth's: sign-up confirmation, password reset) goes out from a
task, so a slow or refusing mail server never holds up or fails the request; the task is retried."""

from django.core.mail import EmailMultiAlternatives
from django.tasks import task


@task
def send_written_mail(*, subject: str, body: str, from_email: str | None, to: list[str],
                      alternatives: list[list[str]]) -> None:
    message = EmailMultiAlternatives(subject, body, from_email, to)
    for content, mimetype in alternatives:
        message.attach_alternative(content, mimetype)
    message.send()


def send_later(message: EmailMultiAlternatives) -> None:
    """Queue a written message. Enqueued in the current transaction: a change rolled back sends nothing."""
    send_written_mail.enqueue(
        subject=message.subject, body=message.body, from_email=message.from_email, to=list(message.to),
        alternatives=[[content, mimetype] for content, mimetype in getattr(message, "alternatives", [])],
    )
