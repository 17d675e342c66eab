"""Load, validate and count the testimonies coded from Revkin and Mhidi, "Quitting ISIS" (2016).

Source: Revkin, M. and Mhidi, A., "Quitting ISIS", Foreign Affairs, 2016. The coding rules are in
docs/ODD.md (§9). Each row of ``data/testimonies.csv`` is one passage of the article (a verbatim
quote, reported speech, or the authors' description) about one person or one described group
(``person_id``); codes use the model's own vocabulary (the enums of ``allegiance.people``), so
``defected`` means going to a rival armed group and ``deserted`` going abroad. Shares count
people, not rows: :func:`people` folds a person's rows into one record first.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..errors import UserError
from ..people import DRIVERS, MOTIVES, Affiliation, Origin, Status, labels
from ..people import ROUTES as SIMULATED_ROUTES
from . import DATA_DIR

PATH = DATA_DIR / "testimonies.csv"

COLUMNS = (
    "id",
    "person_id",
    "name",
    "unit",
    "persons",
    "interviewed",
    "speaker",
    "speech",
    "province",
    "affiliation",
    "year_joined",
    "age_at_joining",
    "year_left",
    "status",
    "route",
    "join_motives",
    "exit_drivers",
    "text",
    "notes",
)
# Facts about the person, not the passage: every row of one person must agree on them.
PERSON_COLUMNS = (
    "name",
    "unit",
    "persons",
    "interviewed",
    "province",
    "affiliation",
    "year_joined",
    "age_at_joining",
    "year_left",
    "status",
    "route",
)
UNITS = ("person", "group")
SPEECH = (
    "quote",
    "reported",
    "description",
)  # the article's quotation marks, 'he said that', or neither
INTERVIEWED = ("yes", "no")
PROVINCES = tuple(labels(Origin))
AFFILIATIONS = tuple(labels(Affiliation))
STATUSES = tuple(labels(Status))
ROUTES = SIMULATED_ROUTES
ABROAD = ("turkey", "jordan")  # Status.DESERTED: left the conflict across a border
LIST_COLUMNS = {"join_motives": MOTIVES, "exit_drivers": DRIVERS}
CHOICES = {
    "unit": UNITS,
    "interviewed": INTERVIEWED,
    "speech": SPEECH,
}
OPTIONAL_CHOICES = {
    "province": PROVINCES,
    "affiliation": AFFILIATIONS,
    "status": STATUSES,
    "route": ROUTES,
}
NUMBERS = {
    "persons": (1, 100000),
    "year_joined": (2003, 2020),
    "year_left": (2003, 2020),
    "age_at_joining": (5, 90),
}


def _split(value: str) -> list[str]:
    return [x.strip() for x in value.split(";") if x.strip()]


def _int_or_na(value: str, where: str, lo: int, hi: int) -> int | None:
    if value == "":
        return None
    try:
        number = int(value)
    except ValueError:
        raise UserError(f"{where}: {value!r} is not a whole number (or leave it blank)") from None
    if not lo <= number <= hi:
        raise UserError(f"{where}: {number} is outside {lo}..{hi}")
    return number


def _check_row(rec: pd.Series, where: str) -> dict[str, object]:
    """One row's cells against the vocabularies; returns the row with lists and numbers parsed."""
    for col in ("id", "person_id", "name", "text"):
        if not rec[col]:
            raise UserError(f"{where}.{col}: must not be blank")
    for col, allowed in CHOICES.items():
        if rec[col] not in allowed:
            raise UserError(f"{where}.{col}: {rec[col]!r}; allowed: {', '.join(allowed)}")
    for col, allowed in OPTIONAL_CHOICES.items():
        if rec[col] and rec[col] not in allowed:
            raise UserError(
                f"{where}.{col}: {rec[col]!r}; allowed: {', '.join(allowed)} or blank (not stated)"
            )
    if (rec["speech"] == "description") != (rec["speaker"] == ""):
        raise UserError(
            f"{where}.speaker: a quote or reported speech names its speaker (a person_id); "
            "the authors' description has none"
        )
    out: dict[str, object] = dict(rec)
    for col, allowed in LIST_COLUMNS.items():
        items = _split(rec[col])
        bad = [x for x in items if x not in allowed]
        if bad:
            raise UserError(
                f"{where}.{col}: {bad[0]!r}; allowed: {', '.join(allowed)} (';'-separated)"
            )
        out[col] = items
    for col, (lo, hi) in NUMBERS.items():
        out[col] = _int_or_na(rec[col], f"{where}.{col}", lo, hi)
    if rec["unit"] == "person" and out["persons"] not in (None, 1):
        raise UserError(f"{where}.persons: {out['persons']}; a unit 'person' is 1 person")
    if rec["unit"] == "person":
        out["persons"] = 1
    return out


def _check_person(rows: pd.DataFrame, where: str) -> None:
    """A person's rows agree on person facts, and route and status say the same thing."""
    for col in PERSON_COLUMNS:
        values = rows[col].astype(str).unique()
        if len(values) > 1:
            raise UserError(
                f"{where}.{col}: rows {', '.join(rows['id'])} disagree ({' vs '.join(values)})"
            )
    first = rows.iloc[0]
    status, route = first["status"], first["route"]
    if route in ABROAD and status != "deserted":
        raise UserError(f"{where}.status: route {route!r} is abroad, so status must be 'deserted'")
    if route == "rival" and status != "defected":
        raise UserError(f"{where}.status: route 'rival' is a rival group, so status is 'defected'")
    if status == "deserted" and route not in (*ABROAD, ""):
        raise UserError(f"{where}.route: 'deserted' goes abroad: {', '.join(ABROAD)} or blank")
    if status == "defected" and route not in ("rival", ""):
        raise UserError(f"{where}.route: 'defected' goes to a rival group: 'rival' or blank")
    if first["interviewed"] == "yes" and (status, route) != ("deserted", "turkey"):
        raise UserError(
            f"{where}: interviewed, and the authors met every interviewee in Turkey, "
            f"so status must be 'deserted' and route 'turkey' (got {status or 'blank'!r}, "
            f"{route or 'blank'!r})"
        )


def load(path: str | Path = PATH) -> pd.DataFrame:
    """Read the coded passages; raise UserError (one line) on any bad cell or inconsistency.

    Returns one row per passage; ``join_motives`` and ``exit_drivers`` become lists, blank
    numbers <NA>, blank choices stay ''. Use :func:`people` for one row per person.
    """
    p = Path(path)
    if not p.is_file():
        raise UserError(f"{p}: no such testimonies file")
    raw = pd.read_csv(p, dtype=str, keep_default_na=False)
    missing = [c for c in COLUMNS if c not in raw.columns]
    if missing:
        raise UserError(
            f"{p}: missing column(s) {', '.join(missing)}; expected {', '.join(COLUMNS)}"
        )
    extra = [c for c in raw.columns if c not in COLUMNS]
    if extra:
        raise UserError(f"{p}: unknown column(s) {', '.join(extra)}; allowed {', '.join(COLUMNS)}")
    if raw["id"].duplicated().any():
        dup = raw.loc[raw["id"].duplicated(), "id"].iloc[0]
        raise UserError(f"{p}: id {dup!r} appears twice")
    rows = []
    for i, rec in raw.iterrows():
        where = f"{p}: row {int(str(i)) + 2} ({rec['id'] or 'no id'})"
        rows.append(_check_row(rec, where))
    df = pd.DataFrame(rows, columns=list(COLUMNS))
    for col in NUMBERS:
        df[col] = pd.array(df[col].tolist(), dtype="Int64")
    for pid, grp in df.groupby("person_id", sort=False):
        _check_person(grp, f"{p}: person {pid}")
    interviewed = set(df.loc[df["interviewed"] == "yes", "person_id"])
    for _, rec in df[df["speaker"] != ""].iterrows():
        if rec["speaker"] not in interviewed:
            raise UserError(
                f"{p}: row {rec['id']}.speaker: {rec['speaker']!r} is not an interviewed person_id"
            )
    return df


def people(df: pd.DataFrame) -> pd.DataFrame:
    """One row per ``person_id``: the person facts, the union of the codes of all their rows.

    Codes keep the order of first mention; ``rows`` counts the passages behind each person.
    """
    out = []
    for pid, grp in df.groupby("person_id", sort=False):
        rec: dict[str, object] = {"person_id": pid}
        for col in PERSON_COLUMNS:
            if col in grp:
                rec[col] = grp[col].iloc[0]
        for col in LIST_COLUMNS:
            if col in grp:
                rec[col] = list(dict.fromkeys(x for items in grp[col] for x in items))
        rec["rows"] = len(grp)
        out.append(rec)
    frame = pd.DataFrame(out)
    if "persons" in frame:
        frame["persons"] = pd.array(frame["persons"].tolist(), dtype="Int64")
    return frame


def shares(persons: pd.DataFrame, column: str, categories: tuple[str, ...]) -> pd.Series:
    """Share of people per category, weighted by ``persons``, each person's codes split equally.

    ``persons`` must be one row per person (see :func:`people`): a person with three passages
    coded 'ideology' is one ideology joiner, not three. People with no code in ``column`` (the
    article does not say) or an unknown head count are left out, so the shares sum to 1 over
    those coded, or are all 0 when nobody is.
    """
    if persons["person_id"].duplicated().any():
        raise ValueError("shares() counts people: pass testimonies.people(rows), not the rows")
    totals = dict.fromkeys(categories, 0.0)
    for items, n in zip(persons[column], persons["persons"], strict=True):
        if not items or pd.isna(n):
            continue
        for x in items:
            totals[x] += float(n) / len(items)
    s = pd.Series(totals, dtype=float)
    total = s.sum()
    return s / total if total > 0 else s


def coded_people(persons: pd.DataFrame, column: str) -> int:
    """How many people (``persons`` summed) carry at least one code in ``column``."""
    has = persons[column].map(bool) & persons["persons"].notna()
    return int(persons.loc[has, "persons"].sum())


def interviewed(persons: pd.DataFrame) -> pd.DataFrame:
    """The people the authors spoke with (all in Turkey), the survey's point of comparison."""
    return persons[persons["interviewed"] == "yes"].reset_index(drop=True)
