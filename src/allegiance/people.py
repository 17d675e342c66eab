"""People as a struct of arrays, and the enums that label their states and events."""

from __future__ import annotations

from dataclasses import dataclass, fields
from enum import IntEnum

import numpy as np
from numba import njit

from .prefetch import AHEAD, prefetch

# Code run every month compares and fills arrays with plain-int copies of these codes
# (``_MEMBER = int(Status.MEMBER)``): NumPy takes an IntEnum scalar through a slow path, about
# 2 us a call against 0.5 for an int, and a month makes dozens of such calls.


class Status(IntEnum):
    """Where a person stands; every person is in exactly one status."""

    CIVILIAN = 0
    TRAINING = 1
    MEMBER = 2
    DESERTED = 3  # left the conflict: abroad in Turkey or Jordan
    DEFECTED = 4  # joined a rival armed group such as the FSA
    KILLED = 5
    EXECUTED = 6
    CAPTURED = 7  # a fighter of an enemy brigade that surrendered, held until he repents


class Motive(IntEnum):
    """The five joining motives of the seed ("five primary motivations")."""

    NONE = 0
    IDEOLOGY = 1
    COERCION = 2
    ECONOMIC = 3
    REVENGE = 4
    OPPORTUNISM = 5


class Driver(IntEnum):
    """The leaving drivers of the seed, plus coerced members who never committed."""

    NONE = 0
    LOSING = 1
    AUTHORITARIANISM = 2
    FAVORITISM = 3
    PAY = 4
    REDEPLOYMENT = 5
    COERCION = 6
    FAMILY = 7  # a child member taken out by his family (Sami)


class Route(IntEnum):
    """Exit routes: abroad across the Turkish or Jordanian border, or to a rival group."""

    NONE = 0
    TURKEY = 1
    JORDAN = 2
    RIVAL = 3


class Origin(IntEnum):
    """Origin: Syrian by province, Iraqi, or foreign by region."""

    DEIR_EZZOR = 0
    RAQQA = 1
    ALEPPO = 2
    IDLIB = 3
    HOMS = 4
    HASAKAH = 5
    IRAQ = 6
    GULF = 7
    EUROPE = 8
    CENTRAL_ASIA = 9
    OTHER_FOREIGN = 10


SYRIAN_MAX = int(Origin.HASAKAH)  # origins 0..5 are Syrian provinces
IRAQI = int(Origin.IRAQ)
FOREIGN_MIN = int(Origin.GULF)  # origins 7..10 are foreign


class Role(IntEnum):
    """A member's role in the organization."""

    NONE = 0
    FIGHTER = 1
    ADMINISTRATOR = 2
    LEADER = 3


class Posting(IntEnum):
    """Where a member serves."""

    HOME = 0  # home front against the regime
    AGAINST_FSA = 1
    IRAQ = 2
    LIBYA = 3


class Affiliation(IntEnum):
    """Prior affiliation before joining."""

    NONE = 0
    FSA = 1
    REGIME = 2


class Event(IntEnum):
    """Kinds of rows in the event log."""

    JOIN = 0  # a local civilian enters the training pipeline
    ARRIVE = 1  # a foreign fighter arrives and enters the pipeline
    DESERT = 2  # left abroad (route turkey or jordan)
    DEFECT = 3  # left to a rival armed group
    CAUGHT = 4  # caught trying to leave and punished, not executed
    EXECUTED = 5  # caught trying to leave and executed
    KILLED = 6  # died in combat
    ORDERED = 7  # received a redeployment order
    CAPTURED = 8  # an enemy fighter captured when his brigade surrendered


def labels(enum: type[IntEnum]) -> list[str]:
    """All lower-case names of an enum, in code order."""
    return [m.name.lower() for m in enum]


MOTIVES: tuple[str, ...] = tuple(labels(Motive)[1:])  # the names used in tables and files
DRIVERS: tuple[str, ...] = tuple(labels(Driver)[1:])
ROUTES: tuple[str, ...] = tuple(labels(Route)[1:])


@dataclass
class People:
    """One row per person, one NumPy array per attribute (struct of arrays).

    Types are the smallest that hold each value, so 8 million people fit in about a gigabyte.
    """

    # fixed traits
    origin: np.ndarray  # uint8, Origin
    birth: np.ndarray  # int16, month index of birth relative to the first simulated month
    wives: np.ndarray  # uint8
    children: np.ndarray  # uint8
    parents: np.ndarray  # uint8, dependent parents
    dependants: np.ndarray  # uint8, other dependants such as sisters
    ideology: np.ndarray  # float32 in [0, 1]
    grievance: np.ndarray  # float32 in [0, 1], against the regime
    family_killed: np.ndarray  # bool, family killed by the regime
    criminal: np.ndarray  # bool, wanted criminal or convicted by regime courts
    affiliation: np.ndarray  # uint8, Affiliation
    skilled: np.ndarray  # bool, military or intelligence expertise
    circle: np.ndarray  # int32, friendship circle (childhood friends from one town)
    # dynamic state
    status: np.ndarray  # uint8, Status
    motive: np.ndarray  # uint8, Motive
    role: np.ndarray  # uint8, Role
    posting: np.ndarray  # uint8, Posting
    high_risk: np.ndarray  # bool, assigned to the most dangerous missions
    ordered: np.ndarray  # bool, under a redeployment order this month
    disillusion: np.ndarray  # float32 >= 0
    suspicion: np.ndarray  # float32 in [0, 1], held by commanders
    training_left: np.ndarray  # int16, days of training still to do
    training_days: np.ndarray  # int16, days of training received
    joined: np.ndarray  # int16, month index of joining, -1 if never
    unit: np.ndarray  # int32, unit of a member, -1 if none

    @property
    def size(self) -> int:
        """Number of people."""
        return int(self.status.shape[0])

    def nbytes(self) -> int:
        """Bytes held by all arrays."""
        return sum(getattr(self, f.name).nbytes for f in fields(self))

    def age_years(self, month: int | np.ndarray, idx: np.ndarray | None = None) -> np.ndarray:
        """Age in whole years at month index ``month`` (one, or one per person) of everyone, or of
        the people ``idx``."""
        return years(month, self.birth if idx is None else self.birth[idx])


def years(month: int | np.ndarray, birth: np.ndarray) -> np.ndarray:
    """Age in whole years at month index ``month`` of people born in months ``birth``."""
    return ((month - birth.astype(np.int32)) // 12).astype(np.int16)


# the fixed traits the member mechanisms read, one record per member, carried along the member
# list: reading them from population-sized arrays costs a cache miss per member and trait (the
# unit is fixed for a member: posted on graduating, never moved)
FIXED = np.dtype(
    [
        ("origin", np.uint8),
        ("skilled", np.bool_),
        ("wives", np.uint8),
        ("children", np.uint8),
        ("parents", np.uint8),
        ("dependants", np.uint8),
        ("birth", np.int16),
        ("circle", np.int32),
        ("unit", np.int32),  # set when a member graduates, never changed while he is inside
        ("ideology", np.float32),
        ("grievance", np.float32),
    ]
)


def fixed_traits(people: People, idx: np.ndarray) -> np.ndarray:
    """The FIXED record of each of the people ``idx``, in that order (one compiled gather: a
    month's few graduates cost eleven NumPy gathers and field stores of fixed cost before)."""
    out = np.empty(idx.size, dtype=FIXED)
    _gather_fixed(out, idx, *(getattr(people, name) for name in FIXED.names))
    return out


@njit(cache=True)
def _gather_fixed(
    out,
    idx,
    origin,
    skilled,
    wives,
    children,
    parents,
    dependants,
    birth,
    circle,
    unit,
    ideology,
    grievance,
):  # noqa: ANN001, ANN202, E501, PLR0913
    """``out[k]``'s fields from the population's arrays at ``idx[k]`` (each value cast to its
    field's type, as NumPy's field assignment casts)."""
    for k in range(idx.size):
        i = idx[k]
        r = out[k]
        r.origin, r.skilled, r.wives = origin[i], skilled[i], wives[i]
        r.children, r.parents, r.dependants = children[i], parents[i], dependants[i]
        r.birth, r.circle, r.unit = birth[i], circle[i], unit[i]
        r.ideology, r.grievance = ideology[i], grievance[i]


def trait(people: People, idx: np.ndarray, fixed: np.ndarray | None, name: str) -> np.ndarray:
    """Fixed trait ``name`` of the people ``idx``: from their FIXED records when the caller
    carries them (aligned with ``idx``), else read from the population."""
    return fixed[name] if fixed is not None else getattr(people, name)[idx]


_RECORD = np.dtype((np.void, FIXED.itemsize))  # the same bytes, without fields


def take(fixed: np.ndarray, which: np.ndarray) -> np.ndarray:
    """``fixed[which]`` (indices or a mask) through a view as plain byte records: NumPy copies
    records with fields about seven times slower than the same bytes without them."""
    return fixed.view(_RECORD)[which].view(FIXED)


def join_records(*parts: np.ndarray) -> np.ndarray:
    """FIXED record arrays one after another (as np.concatenate, on plain byte records)."""
    return np.concatenate([p.view(_RECORD) for p in parts]).view(FIXED)


_WORDS = FIXED.itemsize // 8  # a record is three 8-byte words
assert FIXED.itemsize % 8 == 0


def fixed_rows(fixed: np.ndarray) -> np.ndarray:
    """FIXED records as a (n, 3) array of 8-byte words (the compiled passes copy them as three
    words: a row slice assigned as bytes cost about 9 ns a record)."""
    return fixed.view(np.uint64).reshape(-1, _WORDS)


def records_of(rows: np.ndarray) -> np.ndarray:
    """The FIXED records of ``fixed_rows``'s words (a view)."""
    return rows.reshape(-1).view(FIXED)


def merge_members(
    members: np.ndarray,
    fixed: np.ndarray,
    pay: np.ndarray,
    new: np.ndarray,
    new_fixed: np.ndarray,
    new_pay: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sorted ``members`` and sorted ``new`` (no one in both) merged in index order, with their
    FIXED records and pay alongside: what a stable sort of the two lists one after the other
    gives, in one compiled pass instead of a sort, two joins and three gathers."""
    out, rows, out_pay = _merge(
        members, fixed_rows(fixed), pay, new, fixed_rows(new_fixed), new_pay
    )
    return out, records_of(rows), out_pay


@njit(cache=True)
def _merge(a, fa, pa, b, fb, pb):  # noqa: ANN001, ANN202
    n = a.size + b.size
    out = np.empty(n, np.int64)
    rows = np.empty((n, fa.shape[1]), np.uint64)
    pay = np.empty(n, pa.dtype)
    i = j = 0
    for k in range(n):
        if j >= b.size or (i < a.size and a[i] < b[j]):
            out[k], pay[k] = a[i], pa[i]
            for w in range(fa.shape[1]):
                rows[k, w] = fa[i, w]
            i += 1
        else:
            out[k], pay[k] = b[j], pb[j]
            for w in range(fb.shape[1]):
                rows[k, w] = fb[j, w]
            j += 1
    return out, rows, pay


def keep_members(
    members: np.ndarray, fixed: np.ndarray, values: np.ndarray, status: np.ndarray, code: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Those of ``members`` whose status is still ``code``, with their FIXED records and the
    ``values`` aligned with them (one compiled pass instead of a mask and three gathers)."""
    out, rows, kept = _keep(members, fixed_rows(fixed), values, status, code)
    return out, records_of(rows), kept


@njit(cache=True)
def _keep(members, rows, values, status, code):  # noqa: ANN001, ANN202
    # each member's status is a scattered read of a population-sized array: read once, into a
    # mask, with the read of the member AHEAD on started early (0.90 -> 0.59 ms a call at 8M
    # people from a cold cache; a run makes two a month)
    keep = np.empty(members.size, np.bool_)
    n = 0
    for j in range(members.size):
        if j + AHEAD < members.size:
            prefetch(status, members[j + AHEAD])
        keep[j] = status[members[j]] == code
        n += keep[j]
    out = np.empty(n, np.int64)
    out_rows = np.empty((n, rows.shape[1]), np.uint64)
    out_values = np.empty(n, values.dtype)
    k = 0
    for j in range(members.size):
        if keep[j]:
            out[k], out_values[k] = members[j], values[j]
            for w in range(rows.shape[1]):
                out_rows[k, w] = rows[j, w]
            k += 1
    return out, out_rows, out_values
