"""The reputation score: an open formula, shrunk toward the portal, with its uncertainty.

Five rates, each in 0..1, are weighted into a score from 0 to 10:

    answered share 20%, answered within 7 days 10%, resolved share 30%,
    average rating 25% (1 star = 0, 5 stars = 10), would return 15%.

Each rate is first shrunk toward the portal-wide value with a prior worth
PRIOR_WEIGHT complaints: (PRIOR_WEIGHT * portal + n * rate) / (PRIOR_WEIGHT + n),
so that three happy customers do not make a company "excellent". With fewer than
MIN_EVALUATED evaluated complaints there is no score. The range shown is a 90%
interval from the binomial (or, for the rating, the sample) variance of each
shrunk rate, combined with the weights.
"""

import math
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

PRIOR_WEIGHT = 7
MIN_EVALUATED = 10
Z_90 = 1.6449

WEIGHTS = {
    "answered": 0.20,
    "answered_in_7_days": 0.10,
    "resolved": 0.30,
    "rating": 0.25,
    "would_return": 0.15,
}

LABELS = [
    (8.0, "excellent", _("Excellent")),
    (7.0, "good", _("Good")),
    (6.0, "fair", _("Fair")),
    (5.0, "poor", _("Poor")),
    (0.0, "not_recommended", _("Not recommended")),
]
LABEL_CHOICES = [(key, label) for _threshold, key, label in LABELS]


@dataclass(frozen=True)
class Rate:
    """A rate observed over n complaints (for the rating: the mean of ratings mapped to 0..1)."""

    value: float
    n: int
    variance: float | None = None  # per-observation variance; binomial when None


@dataclass(frozen=True)
class Score:
    value: float
    low: float
    high: float
    label: str
    components: dict


def shrink(rate: Rate, prior: float, weight: int = PRIOR_WEIGHT) -> float:
    if rate.n <= 0:
        return prior
    return (weight * prior + rate.n * rate.value) / (weight + rate.n)


def label_for(value: float) -> str:
    for threshold, key, _label in LABELS:
        if value >= threshold:
            return key
    return LABELS[-1][1]


def reputation_score(rates: dict[str, Rate], priors: dict[str, float], evaluated: int) -> Score | None:
    """The score from the five rates and the portal-wide priors, or None below the minimum sample."""
    if evaluated < MIN_EVALUATED:
        return None
    total, variance, components = 0.0, 0.0, {}
    for name, weight in WEIGHTS.items():
        rate = rates[name]
        shrunk = shrink(rate, priors[name])
        components[name] = shrunk
        total += weight * shrunk
        per_observation = rate.variance if rate.variance is not None else shrunk * (1 - shrunk)
        variance += weight**2 * per_observation / (rate.n + PRIOR_WEIGHT)
    value = 10 * total
    half_width = 10 * Z_90 * math.sqrt(variance)
    return Score(
        value=round(value, 2),
        low=round(max(0.0, value - half_width), 2),
        high=round(min(10.0, value + half_width), 2),
        # The label follows the score as shown (one decimal), so 7.96 shown as 8.0 is excellent.
        label=label_for(round(value, 1)),
        components=components,
    )


def rating_rate(ratings_sum: int, ratings_sq_sum: int, n: int) -> Rate:
    """The mean rating mapped so that 1 star is 0 and 5 stars is 1, with its sample variance."""
    if n <= 0:
        return Rate(0.0, 0, 0.0)
    mean_stars = ratings_sum / n
    variance_stars = max(0.0, ratings_sq_sum / n - mean_stars**2)
    return Rate((mean_stars - 1) / 4, n, variance_stars / 16)


def share(part: int, whole: int) -> float | None:
    return part / whole if whole else None
