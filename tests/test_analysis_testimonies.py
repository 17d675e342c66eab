"""Tests for the coded testimonies: vocabulary, consistency, and counting people, not rows."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from allegiance.analysis import testimonies as tm
from allegiance.errors import UserError
from allegiance.people import Affiliation, Driver, Motive, Origin, Route, Status

# The article's text is not part of the repository; point this at a copy to check every passage.
ARTICLE = os.environ.get("ALLEGIANCE_ARTICLE", "")


def _names(enum: type) -> set[str]:
    return {m.name.lower() for m in enum}


def _norm(text: str) -> str:
    """Fold curly quotes and drop whitespace, so a passage matches the article across line breaks."""
    text = (
        text.replace("\u2019", "'")
        .replace("\u2018", "'")
        .replace("\u201c", '"')
        .replace("\u201d", '"')
    )
    return re.sub(r"\s+", "", text).lower()


@pytest.fixture(scope="module")
def rows() -> pd.DataFrame:
    return tm.load()


@pytest.fixture(scope="module")
def people(rows: pd.DataFrame) -> pd.DataFrame:
    return tm.people(rows).set_index("name")


def test_columns_ids_and_passages(rows: pd.DataFrame) -> None:
    assert list(rows.columns) == list(tm.COLUMNS)
    assert rows["id"].is_unique
    assert rows["text"].str.len().min() > 0
    assert set(rows["speech"]) == {"quote", "reported", "description"}


def test_codes_are_the_model_enums(rows: pd.DataFrame) -> None:
    # checked against people.py itself, so a renamed enum member shows up here
    motives, drivers = _names(Motive) - {"none"}, _names(Driver) - {"none"}
    for items in rows["join_motives"]:
        assert set(items) <= motives
    for items in rows["exit_drivers"]:
        assert set(items) <= drivers
    assert set(rows["route"]) <= (_names(Route) - {"none"}) | {""}
    assert set(rows["status"]) <= _names(Status) | {""}
    assert set(rows["province"]) <= _names(Origin) | {""}
    assert set(rows["affiliation"]) <= _names(Affiliation) | {""}


def test_interviewed_people_deserted_to_turkey_and_speakers_were_interviewed(
    rows: pd.DataFrame, people: pd.DataFrame
) -> None:
    met = people[people["interviewed"] == "yes"]
    assert len(met) >= 8  # the article: 'We spoke with eight former ISIS fighters in Turkey'
    assert set(met["status"]) == {"deserted"} and set(met["route"]) == {"turkey"}
    # the model's 'defected' (a rival group) is never used for the article's loose 'defector'
    assert "defected" not in set(rows["status"])
    speakers = set(rows.loc[rows["speaker"] != "", "speaker"])
    assert speakers <= set(met["person_id"])
    described = rows[rows["speech"] == "description"]
    assert (described["speaker"] == "").all()


def test_facts_the_article_states(people: pd.DataFrame) -> None:
    ammar = people.loc["Ammar"]
    assert ammar["year_joined"] == 2014 and ammar["year_left"] == 2016
    assert ammar["affiliation"] == "fsa" and ammar["rows"] > 1
    # his codes come from several passages and are merged into one person
    assert set(ammar["exit_drivers"]) == {"authoritarianism", "favoritism", "redeployment"}
    assert set(ammar["join_motives"]) == {"ideology", "revenge"}
    sami = people.loc["Sami"]
    assert sami["age_at_joining"] == 14 and sami["province"] == "hasakah"
    assert sami["join_motives"] == [] and sami["exit_drivers"] == []  # the article gives none
    fsa = people[people["affiliation"] == "fsa"].drop("Ammar")
    assert len(fsa) == 2 and all(m == ["coercion"] for m in fsa["join_motives"])
    assert set(fsa["province"]) == {""}  # places of surrender are not origins
    homs = people.loc["ISIS members from Homs (the majority)"]
    assert homs["unit"] == "group" and homs["interviewed"] == "no"
    assert pd.isna(homs["persons"]) and homs["join_motives"] == ["revenge"]


@pytest.mark.skipif(not Path(ARTICLE).is_file(), reason="set ALLEGIANCE_ARTICLE to the article")
def test_every_passage_is_verbatim_from_the_article(rows: pd.DataFrame) -> None:
    article = _norm(Path(ARTICLE).read_text(encoding="utf-8"))
    for _, row in rows.iterrows():
        # whitespace is dropped, so the article's 'amuhajir' matches the CSV's 'a muhajir'
        assert _norm(row["text"]) in article, row["id"]


def _frame(records: list[tuple[str, int | None, list[str]]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "person_id": [r[0] for r in records],
            "persons": pd.array([r[1] for r in records], dtype="Int64"),
            "join_motives": [r[2] for r in records],
        }
    )


def test_shares_count_people_not_rows() -> None:
    # P1 spans two passages (ideology, then revenge); P2 has one (economic)
    rows = _frame([("P1", 1, ["ideology"]), ("P1", 1, ["revenge"]), ("P2", 1, ["economic"])])
    persons = tm.people(rows)
    assert len(persons) == 2 and persons.loc[0, "rows"] == 2
    got = tm.shares(persons, "join_motives", tm.MOTIVES)
    assert got["economic"] == pytest.approx(1 / 2)  # by rows it would be 1/3
    assert got["ideology"] == pytest.approx(1 / 4) and got["revenge"] == pytest.approx(1 / 4)
    with pytest.raises(ValueError, match="people"):
        tm.shares(rows, "join_motives", tm.MOTIVES)


def test_groups_weigh_by_head_count_and_unknown_counts_stay_out() -> None:
    rows = _frame([("G", 2, ["revenge"]), ("P", 1, ["economic"]), ("H", None, ["ideology"])])
    got = tm.shares(tm.people(rows), "join_motives", tm.MOTIVES)
    assert got["revenge"] == pytest.approx(2 / 3) and got["ideology"] == 0.0
    assert tm.coded_people(tm.people(rows), "join_motives") == 3


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.lists(st.sampled_from(tm.MOTIVES), max_size=3, unique=True),
            st.integers(1, 3),  # passages the person's codes are spread over
        ),
        min_size=1,
        max_size=8,
    )
)
def test_spreading_a_persons_codes_over_passages_changes_nothing(
    spec: list[tuple[list[str], int]],
) -> None:
    merged = _frame([(f"P{i}", 1, codes) for i, (codes, _) in enumerate(spec)])
    spread = _frame(
        [
            (f"P{i}", 1, codes[k::parts])
            for i, (codes, parts) in enumerate(spec)
            for k in range(parts)
        ]
    )
    a = tm.shares(tm.people(merged), "join_motives", tm.MOTIVES)
    b = tm.shares(tm.people(spread), "join_motives", tm.MOTIVES)
    pd.testing.assert_series_equal(a, b)
    assert b.sum() == pytest.approx(1.0) or b.sum() == 0.0


def _write(tmp_path: Path, change: dict[tuple[int, str], str]) -> Path:
    raw = pd.read_csv(tm.PATH, dtype=str, keep_default_na=False)
    for (i, col), value in change.items():
        raw.loc[i, col] = value
    out = tmp_path / "t.csv"
    raw.to_csv(out, index=False)
    return out


@pytest.mark.parametrize(
    ("column", "value", "needle"),
    [
        ("route", "syria", "route"),
        ("route", "unknown", "route"),  # unknown is a blank cell, not a code
        ("status", "defect", "status"),  # the event name, not the model's status
        ("join_motives", "ideology;greed", "join_motives"),
        ("age_at_joining", "fourteen", "age_at_joining"),
        ("province", "damascus", "province"),
        ("speech", "paraphrase", "speech"),
        ("unit", "family", "unit"),
    ],
)
def test_bad_cells_give_one_line_naming_the_field(
    tmp_path: Path, column: str, value: str, needle: str
) -> None:
    with pytest.raises(UserError) as err:
        tm.load(_write(tmp_path, {(0, column): value}))
    msg = str(err.value)
    assert needle in msg and "\n" not in msg


def test_inconsistent_coding_is_refused(tmp_path: Path, rows: pd.DataFrame) -> None:
    ammar = rows.index[rows["name"] == "Ammar"].tolist()
    # an interviewee who went to a rival group contradicts 'eight former ISIS fighters in Turkey'
    interviewed_rival = {(i, "route"): "rival" for i in ammar} | {
        (i, "status"): "defected" for i in ammar
    }
    with pytest.raises(UserError, match="Turkey"):
        tm.load(_write(tmp_path, interviewed_rival))
    # two passages of one person must agree on the person's facts
    with pytest.raises(UserError, match="disagree"):
        tm.load(_write(tmp_path, {(ammar[1], "year_joined"): "2013"}))
    # the authors' own description has no speaker
    described = rows.index[rows["speech"] == "description"][0]
    with pytest.raises(UserError, match="speaker"):
        tm.load(_write(tmp_path, {(described, "speaker"): "P01"}))
    homs = rows.index[rows["interviewed"] == "no"][0]
    with pytest.raises(UserError, match="deserted"):
        tm.load(_write(tmp_path, {(homs, "route"): "turkey", (homs, "status"): "member"}))


def test_missing_file_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="no such"):
        tm.load(tmp_path / "nope.csv")
