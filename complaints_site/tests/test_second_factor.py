from urllib.parse import urlencode

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.urls import reverse

from companies.models import Representative
from complaints.tests.factories import PASSWORD


@pytest.mark.django_db
def test_any_member_can_open_the_second_factor_pages(member_client):
    assert member_client.get(reverse("mfa_index")).status_code == 200
    activate = reverse("mfa_activate_totp")
    # A signed-in session is not enough to see the secret: allauth asks for the password again first.
    response = member_client.get(activate)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_reauthenticate')}?{urlencode({'next': activate})}"

    response = member_client.post(response["Location"], {"password": PASSWORD})
    assert response["Location"] == activate
    response = member_client.get(activate)
    assert response.status_code == 200
    assert response.context["form"].secret in response.content.decode()


@pytest.mark.django_db
def test_without_the_setting_moderators_are_not_forced(client, moderator, settings):
    settings.REQUIRE_MFA_FOR_STAFF = False
    client.force_login(moderator)
    assert client.get(reverse("complaints:moderation_queue")).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["moderator", "representative"])
def test_with_the_setting_a_role_must_set_up_a_second_factor_first(client, settings, moderator, member, company, role):
    settings.REQUIRE_MFA_FOR_STAFF = True
    user = moderator if role == "moderator" else member
    if role == "representative":
        Representative.objects.create(user=member, company=company, role="owner", verified_by="domain")
    client.force_login(user)
    url = reverse("complaints:moderation_queue") if role == "moderator" else reverse("complaints:business")
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
    # The account pages stay open, so the second factor can be set up.
    assert client.get(reverse("mfa_index")).status_code == 200

    TOTP.activate(user, generate_totp_secret())
    assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_with_the_setting_ordinary_members_are_not_asked(member_client, settings):
    settings.REQUIRE_MFA_FOR_STAFF = True
    assert member_client.get(reverse("complaints:mine")).status_code == 200
