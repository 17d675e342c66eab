"""Tests for the coded testimonies and their loader."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from allegiance.analysis import testimonies
from allegiance.errors import UserError

SEED = Path(__file__).resolve().parents[1].parent / "shared" / "seed" / "quitting-isis.txt"


def _norm(text: str) -> str:
    """Fold curly quotes and drop whitespace, so a quote matches the seed across line breaks."""
    text = (
        text.replace("\u2019", "'")
        .replace("\u2018", "'")
        .replace("\u201c", '"')
        .replace("\u201d", '"')
    )
    return re.sub(r"\s+", "", text).lower()


@pytest.fixture(scope="module")
def df() -> pd.DataFrame:
    return testimonies.load()


def test_at_least_twelve_people_with_all_fields(df: pd.DataFrame) -> None:
    assert len(df) >= 12
    assert df["id"].is_unique
    assert list(df.columns) == list(testimonies.COLUMNS)
    assert df["quote"].str.len().min() > 0


def test_named_people_are_coded(df: pd.DataFrame) -> None:
    names = " ".join(df["name"])
    for who in ("Ammar", "Hossam", "Khaled", "Tarek", "Sami", "FSA", "six sisters"):
        assert who in names


def test_facts_the_seed_states(df: pd.DataFrame) -> None:
    ammar = df.set_index("name").loc["Ammar"]
    assert ammar["year_joined"] == 2014 and ammar["year_left"] == 2016
    assert ammar["route"] == "turkey" and "redeployment" in ammar["exit_drivers"]
    sami = df.set_index("name").loc["Sami"]
    assert sami["age_at_joining"] == 14 and sami["province"] == "hasakah"
    fsa = df[df["name"].str.startswith("Former FSA fighter")]
    assert len(fsa) == 2 and all(m == ["coercion"] for m in fsa["join_motives"])


def test_codes_are_from_the_allowed_vocabularies(df: pd.DataFrame) -> None:
    for items in df["join_motives"]:
        assert set(items) <= set(testimonies.MOTIVES)
    for items in df["exit_drivers"]:
        assert set(items) <= set(testimonies.DRIVERS)
    assert set(df["route"]) <= set(testimonies.ROUTES)


@pytest.mark.skipif(not SEED.is_file(), reason="the seed text lives outside the repository")
def test_quotes_are_verbatim_from_the_seed(df: pd.DataFrame) -> None:
    seed = _norm(SEED.read_text(encoding="utf-8"))
    for _, row in df.iterrows():
        # whitespace is dropped, so the seed's 'amuhajir' matches the CSV's 'a muhajir'
        assert _norm(row["quote"]) in seed, row["id"]


def test_shares_weight_groups_and_split_multiple_codes(df: pd.DataFrame) -> None:
    s = testimonies.shares(df, "exit_drivers", testimonies.DRIVERS)
    assert s.sum() == pytest.approx(1.0)
    small = pd.DataFrame(
        {"join_motives": [["ideology", "revenge"], ["economic"]], "persons": [1, 2]}
    )
    got = testimonies.shares(small, "join_motives", testimonies.MOTIVES)
    assert got["economic"] == pytest.approx(2 / 3)
    assert got["ideology"] == pytest.approx(1 / 6)


@pytest.mark.parametrize(
    ("column", "value", "needle"),
    [
        ("route", "syria", "route"),
        ("join_motives", "ideology;greed", "join_motives"),
        ("age_at_joining", "fourteen", "age_at_joining"),
        ("province", "damascus", "province"),
    ],
)
def test_bad_cells_give_one_line_naming_the_field(
    tmp_path: Path, column: str, value: str, needle: str
) -> None:
    raw = pd.read_csv(testimonies.PATH, dtype=str, keep_default_na=False)
    raw.loc[0, column] = value
    bad = tmp_path / "t.csv"
    raw.to_csv(bad, index=False)
    with pytest.raises(UserError) as err:
        testimonies.load(bad)
    msg = str(err.value)
    assert needle in msg and "\n" not in msg


def test_missing_file_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="no such"):
        testimonies.load(tmp_path / "nope.csv")
