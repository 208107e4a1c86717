"""The exact rules of a workshop's results (vertebra.workshops.rules), which the API relies on."""

from __future__ import annotations

from collections import Counter

from hypothesis import given
from hypothesis import strategies as st

from vertebra.workshops.rules import (
    STATUSES,
    Vote,
    agreement,
    by_stakeholder_type,
    distribution,
    flagged,
    objective_result,
    participation,
    results,
)


def test_agreement_is_the_most_frequent_status_over_the_ratings_other_than_unknown() -> None:
    statuses = ["achieved", "achieved", "in_progress", "unknown", "unknown"]
    assert agreement(statuses) == 2 / 3


def test_agreement_is_none_when_every_rating_is_unknown_or_there_is_none() -> None:
    assert agreement(["unknown", "unknown"]) is None
    assert agreement([]) is None


def test_unanimous_ratings_agree_fully_and_are_not_flagged() -> None:
    assert agreement(["achieved"] * 4) == 1.0
    assert flagged(["achieved"] * 4) is False


def test_agreement_below_sixty_percent_is_flagged() -> None:
    statuses = ["achieved", "achieved", "in_progress", "in_progress", "unknown"]
    assert agreement(statuses) == 0.5
    assert flagged(statuses) is True


def test_agreement_of_exactly_sixty_percent_is_not_flagged() -> None:
    statuses = ["achieved"] * 3 + ["in_progress"] * 2
    assert agreement(statuses) == 0.6
    assert flagged(statuses) is False


def test_not_started_beside_achieved_is_flagged_even_with_high_agreement() -> None:
    statuses = ["achieved"] * 9 + ["not_started"]
    assert agreement(statuses) == 0.9
    assert flagged(statuses) is True


def test_only_unknown_ratings_are_not_flagged() -> None:
    assert flagged(["unknown", "unknown"]) is False


def test_distribution_lists_every_status_in_order() -> None:
    assert distribution(["unknown", "achieved", "achieved"]) == {
        "not_started": 0,
        "in_progress": 0,
        "achieved": 2,
        "not_applicable": 0,
        "unknown": 1,
    }


def test_split_by_stakeholder_type_counts_each_types_statuses() -> None:
    votes = [
        Vote("Media", "achieved"),
        Vote("Emergency services", "unknown"),
        Vote("Media", "achieved"),
    ]
    assert by_stakeholder_type(votes) == {
        "Emergency services": distribution(["unknown"]),
        "Media": distribution(["achieved", "achieved"]),
    }


def test_results_list_every_code_in_the_order_given_unrated_ones_too() -> None:
    found = results(["L1S1", "L1S2"], {"L1S2": [Vote("Media", "achieved")]})
    assert [(r.code, r.ratings, r.agreement, r.flagged) for r in found] == [
        ("L1S1", 0, None, False),
        ("L1S2", 1, 1.0, False),
    ]


def test_participation_counts_participants_per_type_by_name() -> None:
    assert participation(["Media", "Academia", "Media"]) == {"Academia": 1, "Media": 2}


votes_strategy = st.lists(
    st.builds(Vote, st.sampled_from(["Media", "Academia", "Utilities"]), st.sampled_from(STATUSES)),
    max_size=40,
)


@given(votes_strategy)
def test_results_agree_with_the_rules_for_any_ratings(votes: list[Vote]) -> None:
    statuses = [v.status for v in votes]
    result = objective_result("L1S1", votes)
    known = [s for s in statuses if s != "unknown"]
    if known:
        top = max(Counter(known).values())
        assert result.agreement == top / len(known)
        assert 1 / len(set(known)) <= result.agreement <= 1
    else:
        assert result.agreement is None
    both = "not_started" in statuses and "achieved" in statuses
    low = result.agreement is not None and result.agreement < 0.6
    assert result.flagged is (both or low)
    assert result.ratings == len(votes) == sum(result.distribution.values())
    assert sum(sum(d.values()) for d in result.by_stakeholder_type.values()) == len(votes)
    for kind, counts in result.by_stakeholder_type.items():
        assert counts == distribution(v.status for v in votes if v.stakeholder_type == kind)
