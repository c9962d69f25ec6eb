"""What companies tell the apps built on them: a moderator decided on a representation request."""

from django.dispatch import Signal

# claim_decided.send(sender=RepresentationClaim, claim=...), inside the decision's transaction.
claim_decided = Signal()
