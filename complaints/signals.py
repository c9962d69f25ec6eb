"""Events a company may want to hear of outside the site (its webhooks, in api/webhooks.py).

Sent by the services inside their transaction; a receiver acts once it commits. The sender
is the complaint; `event` names what happened, `data` holds its public details.
"""

from django.dispatch import Signal

# company_event.send(sender=Complaint, complaint=..., event="offer.accepted", data={...})
company_event = Signal()
