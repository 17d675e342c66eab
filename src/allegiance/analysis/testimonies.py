"""Load and validate the testimonies coded from the seed (data/testimonies.csv)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..errors import UserError
from ..people import DRIVERS, MOTIVES
from ..people import ROUTES as SIMULATED_ROUTES
from . import DATA_DIR

PATH = DATA_DIR / "testimonies.csv"

COLUMNS = (
    "id",
    "name",
    "province",
    "persons",
    "year_joined",
    "age_at_joining",
    "year_left",
    "exit_type",
    "join_motives",
    "exit_drivers",
    "route",
    "quote",
    "notes",
)
PROVINCES = ("deir_ezzor", "raqqa", "aleppo", "idlib", "homs", "hasakah", "iraq")
ROUTES = (*SIMULATED_ROUTES, "unknown")  # a testimony may not say where they went
EXIT_TYPES = ("desert", "defect", "unknown")
LIST_COLUMNS = {"join_motives": MOTIVES, "exit_drivers": DRIVERS}


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


def load(path: str | Path = PATH) -> pd.DataFrame:
    """Read the coded testimonies; raise UserError (one line) on any bad cell.

    Returns one row per person (``persons`` > 1 for a group the seed describes in the plural);
    ``join_motives`` and ``exit_drivers`` become lists, blank numbers become <NA>.
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
        if not rec["id"] or not rec["name"]:
            raise UserError(f"{where}: id and name must not be blank")
        if not rec["quote"]:
            raise UserError(f"{where}.quote: every testimony needs its quote from the seed")
        if rec["province"] and rec["province"] not in PROVINCES:
            raise UserError(
                f"{where}.province: {rec['province']!r}; allowed: {', '.join(PROVINCES)} or blank"
            )
        for col, allowed in (("route", ROUTES), ("exit_type", EXIT_TYPES)):
            if rec[col] not in allowed:
                raise UserError(f"{where}.{col}: {rec[col]!r}; allowed: {', '.join(allowed)}")
        out = dict(rec)
        for col, allowed in LIST_COLUMNS.items():
            items = _split(rec[col])
            bad = [x for x in items if x not in allowed]
            if bad:
                raise UserError(
                    f"{where}.{col}: {bad[0]!r}; allowed: {', '.join(allowed)} (';'-separated)"
                )
            out[col] = items
        out["province"] = rec["province"] or None
        out["persons"] = _int_or_na(rec["persons"], f"{where}.persons", 1, 1000) or 1
        out["year_joined"] = _int_or_na(rec["year_joined"], f"{where}.year_joined", 2003, 2020)
        out["year_left"] = _int_or_na(rec["year_left"], f"{where}.year_left", 2003, 2020)
        out["age_at_joining"] = _int_or_na(rec["age_at_joining"], f"{where}.age_at_joining", 5, 90)
        rows.append(out)
    df = pd.DataFrame(rows, columns=list(COLUMNS))
    for col in ("year_joined", "year_left", "age_at_joining", "persons"):
        df[col] = pd.array(df[col].tolist(), dtype="Int64")
    return df


def shares(df: pd.DataFrame, column: str, categories: tuple[str, ...]) -> pd.Series:
    """Share of coded mentions per category, weighted by ``persons``, each person's codes split equally.

    People with no code in ``column`` are left out (the seed does not say), so the shares sum
    to 1 over those coded, or are all 0 when nobody is.
    """
    totals = dict.fromkeys(categories, 0.0)
    for items, n in zip(df[column], df["persons"], strict=True):
        for x in items:
            totals[x] += float(n) / len(items)
    s = pd.Series(totals, dtype=float)
    total = s.sum()
    return s / total if total > 0 else s
