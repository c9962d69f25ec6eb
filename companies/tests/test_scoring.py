"""The reputation formula on its own: hand-computed cases, no pages and no complaints.

Every expected number below is worked out in the comment next to it, so a change
to the formula has to change the arithmetic written here too.
"""

import math

import pytest

from companies.models import Scorecard
from companies.scoring import (
    LABELS,
    MIN_EVALUATED,
    PRIOR_WEIGHT,
    WEIGHTS,
    Rate,
    label_for,
    rating_rate,
    reputation_score,
    share,
    shrink,
)
from companies.tests.factories import CompanyFactory
from complaints.services.scorecards import NEUTRAL_PRIOR, portal_priors


def same_rates(value: float, complaints: int, evaluated: int | None = None) -> dict[str, Rate]:
    """All five rates at one value; the rating as a plain rate (binomial variance)."""
    evaluated = complaints if evaluated is None else evaluated
    return {
        "answered": Rate(value, complaints),
        "answered_in_7_days": Rate(value, complaints),
        "resolved": Rate(value, evaluated),
        "rating": Rate(value, evaluated),
        "would_return": Rate(value, evaluated),
    }


def same_priors(value: float) -> dict[str, float]:
    return dict.fromkeys(WEIGHTS, value)


def test_the_published_constants_are_the_ones_the_issue_asks_for():
    assert PRIOR_WEIGHT == 7
    assert MIN_EVALUATED == 10
    assert WEIGHTS == {
        "answered": 0.20, "answered_in_7_days": 0.10, "resolved": 0.30, "rating": 0.25, "would_return": 0.15,
    }
    assert math.isclose(sum(WEIGHTS.values()), 1.0)
    assert [(threshold, key) for threshold, key, _label in LABELS] == [
        (8.0, "excellent"), (7.0, "good"), (6.0, "fair"), (5.0, "poor"), (0.0, "not_recommended"),
    ]


# Shrinkage toward the portal with a prior worth 7 complaints.

@pytest.mark.parametrize(("rate", "prior", "expected"), [
    # 3 of 3 resolved, portal 50%: (7 × 0.5 + 3 × 1.0) / (7 + 3) = 6.5 / 10 = 0.65
    (Rate(1.0, 3), 0.5, 0.65),
    # 0 of 3, portal 50%: (3.5 + 0) / 10 = 0.35
    (Rate(0.0, 3), 0.5, 0.35),
    # 7 complaints weigh as much as the prior: (7 × 0.2 + 7 × 0.8) / 14 = 0.5
    (Rate(0.8, 7), 0.2, 0.5),
    # 90% of 63, portal 50%: (3.5 + 56.7) / 70 = 0.86
    (Rate(0.9, 63), 0.5, 0.86),
    # no complaints at all: the portal's value itself
    (Rate(0.0, 0), 0.42, 0.42),
])
def test_shrink_pulls_a_rate_toward_the_portal_with_a_prior_worth_seven_complaints(rate, prior, expected):
    assert shrink(rate, prior) == pytest.approx(expected)


def test_three_perfect_complaints_do_not_outweigh_the_prior():
    # The shrunk value moves monotonically from the prior toward the raw rate as n grows.
    values = [shrink(Rate(1.0, n), 0.5) for n in (0, 1, 3, 7, 30, 300)]
    assert values == sorted(values)
    assert values[0] == 0.5
    assert values[2] < 0.7  # 3 of 3 is only 0.65
    assert values[-1] > 0.98  # 300 of 300: (3.5 + 300) / 307 = 0.9886


def test_perfect_record_over_ten_complaints_is_good_not_excellent():
    # Every rate 100% over 10 complaints, portal 50% everywhere:
    # shrunk = (3.5 + 10) / 17 = 0.794117...; score = 10 × 0.794117 × (sum of weights 1.0) = 7.94
    score = reputation_score(same_rates(1.0, 10), same_priors(0.5), evaluated=10)
    assert score.value == 7.94
    assert score.label == "good"
    # The same record over 63 complaints: (3.5 + 63) / 70 = 0.95 → 9.5, excellent.
    score = reputation_score(same_rates(1.0, 63), same_priors(0.5), evaluated=63)
    assert score.value == 9.5
    assert score.label == "excellent"
    assert score.components == pytest.approx(dict.fromkeys(WEIGHTS, 0.95))


def test_each_weight_applies_to_its_own_rate():
    # Only "resolved" differs from the portal: 10 of 10 resolved, everything else equal to a 0.5 portal.
    # resolved shrunk = (3.5 + 10) / 17 = 0.794117; others stay 0.5.
    # score = 10 × (0.20·0.5 + 0.10·0.5 + 0.30·0.794117 + 0.25·0.5 + 0.15·0.5)
    #       = 10 × (0.35 + 0.238235) = 5.88
    rates = same_rates(0.5, 10)
    rates["resolved"] = Rate(1.0, 10)
    score = reputation_score(rates, same_priors(0.5), evaluated=10)
    assert score.value == 5.88
    assert score.label == "poor"


# The minimum sample.

def test_nine_evaluated_complaints_give_no_score():
    assert reputation_score(same_rates(1.0, 40, evaluated=9), same_priors(0.5), evaluated=9) is None


def test_ten_evaluated_complaints_give_a_score():
    # answered rates over 40 complaints: (3.5 + 40) / 47 = 0.925532; the others over 10: 0.794118
    # score = 10 × (0.30 × 0.925532 + 0.70 × 0.794118) = 10 × (0.277660 + 0.555882) = 8.34
    score = reputation_score(same_rates(1.0, 40, evaluated=10), same_priors(0.5), evaluated=10)
    assert score is not None
    assert score.value == 8.34
    assert score.label == "excellent"


def test_no_score_whatever_the_rates_below_the_minimum():
    for evaluated in range(MIN_EVALUATED):
        assert reputation_score(same_rates(0.9, 50, evaluated), same_priors(0.5), evaluated) is None


# Labels and their boundaries.

@pytest.mark.parametrize(("value", "label"), [
    (10.0, "excellent"), (8.0, "excellent"), (7.99, "good"),
    (7.0, "good"), (6.99, "fair"),
    (6.0, "fair"), (5.99, "poor"),
    (5.0, "poor"), (4.99, "not_recommended"),
    (0.0, "not_recommended"),
])
def test_label_boundaries(value, label):
    assert label_for(value) == label


def test_a_computed_score_of_exactly_eight_is_excellent():
    # Every shrunk rate 0.8: 10 × 0.8 × (0.2 + 0.1 + 0.3 + 0.25 + 0.15) = 8.0, on the boundary itself,
    # 0.799 everywhere gives 7.99, shown as 8.0 and so labelled excellent (the label follows
    # the score as shown); 0.794 gives 7.94, shown as 7.9: good.
    score = reputation_score(same_rates(0.8, 10), same_priors(0.8), evaluated=10)
    assert (score.value, score.label) == (8.0, "excellent")
    score = reputation_score(same_rates(0.799, 10), same_priors(0.799), evaluated=10)
    assert (score.value, score.label) == (7.99, "excellent")
    score = reputation_score(same_rates(0.794, 10), same_priors(0.794), evaluated=10)
    assert (score.value, score.label) == (7.94, "good")


# The 90% range.

def test_range_for_an_average_company_computed_by_hand():
    # All five rates 0.5 over 10 complaints, portal 0.5: shrunk 0.5, score 5.0.
    # variance = Σ w² × p(1 − p) / (n + 7) = (0.04 + 0.01 + 0.09 + 0.0625 + 0.0225) × 0.25 / 17
    #          = 0.225 × 0.25 / 17 = 0.00330882
    # half width = 10 × 1.6449 × √0.00330882 = 10 × 1.6449 × 0.0575224 = 0.9462
    score = reputation_score(same_rates(0.5, 10), same_priors(0.5), evaluated=10)
    assert (score.value, score.low, score.high) == (5.0, 4.05, 5.95)
    assert score.label == "poor"


def test_range_narrows_as_the_sample_grows():
    # Rates equal to the portal keep the score at 6.0 while n grows; the half width
    # 10 × 1.6449 × √(0.225 × 0.24 / (n + 7)) falls: n=10 → 0.93, 40 → 0.56, 160 → 0.30, 640 → 0.15.
    expected = {10: (5.07, 6.93), 40: (5.44, 6.56), 160: (5.70, 6.30), 640: (5.85, 6.15)}
    widths = []
    for n, (low, high) in expected.items():
        score = reputation_score(same_rates(0.6, n), same_priors(0.6), evaluated=n)
        assert score.value == 6.0
        assert (score.low, score.high) == (low, high)
        widths.append(score.high - score.low)
    assert widths == sorted(widths, reverse=True)
    assert len(set(widths)) == len(widths)


@pytest.mark.parametrize(("value", "prior", "expected"), [
    # 100% over 10, portal 95%: shrunk (6.65 + 10) / 17 = 0.979412 → 9.79; half width
    # 10 × 1.6449 × √(0.225 × 0.979412 × 0.020588 / 17) = 0.27 → 10.06, shown as 10.0.
    (1.0, 0.95, (9.79, 9.53, 10.0)),
    # 0% over 10, portal 5%: shrunk 0.35 / 17 = 0.020588 → 0.21; 0.21 − 0.27 is below zero → 0.0.
    (0.0, 0.05, (0.21, 0.0, 0.47)),
])
def test_range_stays_within_zero_and_ten(value, prior, expected):
    score = reputation_score(same_rates(value, 10), same_priors(prior), evaluated=10)
    assert (score.value, score.low, score.high) == expected


def test_range_always_holds_the_score_and_stays_within_bounds():
    for value in (0.0, 0.01, 0.3, 0.5, 0.77, 0.99, 1.0):
        for prior in (0.0, 0.2, 0.5, 0.9, 1.0):
            for n in (10, 11, 25, 200):
                score = reputation_score(same_rates(value, n), same_priors(prior), evaluated=n)
                assert 0.0 <= score.low <= score.value <= score.high <= 10.0
                assert all(math.isfinite(x) for x in (score.value, score.low, score.high))


def test_unanimous_extremes_have_no_width():
    # Every rate 100% and the portal at 100%: p(1 − p) = 0 everywhere, so the range is the point.
    score = reputation_score(same_rates(1.0, 10), same_priors(1.0), evaluated=10)
    assert (score.value, score.low, score.high, score.label) == (10.0, 10.0, 10.0, "excellent")
    score = reputation_score(same_rates(0.0, 10), same_priors(0.0), evaluated=10)
    assert (score.value, score.low, score.high, score.label) == (0.0, 0.0, 0.0, "not_recommended")


# The star rating.

@pytest.mark.parametrize(("stars", "expected"), [(1, 0.0), (2, 0.25), (3, 0.5), (4, 0.75), (5, 1.0)])
def test_rating_maps_one_star_to_zero_and_five_stars_to_one(stars, expected):
    # Ten equal ratings: mean = stars, mapped (stars − 1) / 4, no spread.
    rate = rating_rate(ratings_sum=10 * stars, ratings_sq_sum=10 * stars * stars, n=10)
    assert rate == Rate(expected, 10, 0.0)


def test_one_star_counts_zero_and_five_stars_count_ten_points_of_the_rating_share():
    # Ratings only differ: all 5★ vs all 1★, portal rating 0.5, every other rate 0.5 too.
    # 5★: rating shrunk (3.5 + 10 × 1.0) / 17 = 0.794118 → score 10 × (0.75 × 0.5 + 0.25 × 0.794118) = 5.74
    # 1★: rating shrunk 3.5 / 17 = 0.205882 → score 10 × (0.375 + 0.25 × 0.205882) = 4.26
    for stars, expected in ((5, 5.74), (1, 4.26)):
        rates = same_rates(0.5, 10)
        rates["rating"] = rating_rate(10 * stars, 10 * stars * stars, 10)
        assert reputation_score(rates, same_priors(0.5), evaluated=10).value == expected


def test_rating_variance_is_the_sample_variance_in_the_zero_to_one_scale():
    # 1★ and 5★: mean 3 → 0.5; variance in stars = (1 + 25) / 2 − 3² = 4; on the 0..1 scale 4 / 16 = 0.25.
    assert rating_rate(ratings_sum=6, ratings_sq_sum=26, n=2) == Rate(0.5, 2, 0.25)


def test_rating_of_nobody_is_an_empty_rate():
    assert rating_rate(0, 0, 0) == Rate(0.0, 0, 0.0)


def test_share_of_nothing_is_none_not_a_division_by_zero():
    assert share(0, 0) is None
    assert share(3, 4) == 0.75


# The portal-wide priors.

@pytest.mark.django_db
def test_priors_default_to_one_half_on_an_empty_portal():
    assert NEUTRAL_PRIOR == 0.5
    for window in Scorecard.Window.values:
        assert portal_priors(window) == same_priors(0.5)


@pytest.mark.django_db
def test_priors_are_the_portal_totals_and_one_half_where_nobody_evaluated():
    # The aggregate over stored rows is what is under test, so the rows are written directly.
    # Two companies: 10 + 30 complaints, 4 + 26 answered → 30 / 40 = 0.75; 2 + 8 within 7 days → 0.25.
    # Nobody evaluated: resolved, rating and would-return stay at the neutral 0.5.
    Scorecard.objects.create(company=CompanyFactory(), window="12m", complaints=10, answered=4, answered_in_7_days=2)
    Scorecard.objects.create(company=CompanyFactory(), window="12m", complaints=30, answered=26, answered_in_7_days=8)
    assert portal_priors("12m") == {
        "answered": 0.75, "answered_in_7_days": 0.25, "resolved": 0.5, "rating": 0.5, "would_return": 0.5,
    }
    assert portal_priors("all") == same_priors(0.5)
