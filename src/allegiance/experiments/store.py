"""The results store: one Parquet dataset per sweep, a manifest, one atomic part file per run.

Layout of a sweep directory::

    manifest.json          spec, spec hash, design points, run table (run id -> point, replicate, seed)
    runs/run-00000042.parquet   one row per finished run (ok or failed), written atomically

A part is named by its run id and written to a temporary file first, then moved into place with
``os.replace`` (atomic on POSIX), so a finished run is never half-written, lost or duplicated.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ..errors import UserError
from .tasks import RunRecord

MANIFEST = "manifest.json"
RUNS = "runs"
SERIES = "series"
FORMAT = 1


def _atomic_write_bytes(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def _whole_parquet(path: Path) -> bool:
    """A Parquet file starts and ends with the magic bytes PAR1; a cut-off or empty one does not."""
    try:
        size = path.stat().st_size
        if size < 12:
            return False
        with open(path, "rb") as fh:
            head = fh.read(4)
            fh.seek(-4, os.SEEK_END)
            return head == b"PAR1" and fh.read(4) == b"PAR1"
    except OSError:
        return False


def _manifest_problem(data: object) -> str:
    """What is missing from a manifest, or '' when it has what the store reads."""
    if not isinstance(data, dict):
        return f"expected a mapping, got {type(data).__name__}"
    kinds = {"points": list, "runs": dict, "factors": list, "outcomes": list}
    for key, kind in kinds.items():
        if not isinstance(data.get(key), kind):
            return f"no {key!r} {kind.__name__}"
    runs = data["runs"]
    cols = ("run_id", "point_id", "replicate", "seed")
    if not all(isinstance(runs.get(c), list) for c in cols):
        return "the run table lacks run_id, point_id, replicate or seed"
    if len({len(runs[c]) for c in cols}) != 1:
        return "the run table's columns differ in length"
    if any(not isinstance(p, dict) for p in data["points"]):
        return "a design point is not a mapping"
    if any(not isinstance(i, int) or not 0 <= i < len(data["points"]) for i in runs["point_id"]):
        return "a run refers to a design point that is not there"
    if any(not all(f in p for f in data["factors"]) for p in data["points"]):
        return "a design point lacks a factor"
    return ""


def _factor_type(values: list[Any]) -> pa.DataType:
    """Arrow type of a factor column: numbers, strings or booleans as such, anything else JSON."""
    if all(isinstance(v, bool) for v in values):
        return pa.bool_()
    if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return pa.int64()
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        return pa.float64()
    if all(isinstance(v, str) for v in values):
        return pa.string()
    return pa.string()  # JSON text


class Store:
    """A sweep directory: create it, say which runs are finished, write runs, read them back."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self.runs_dir = self.root / RUNS
        self.manifest: dict[str, Any] = {}
        self.schema: pa.Schema | None = None

    # ------------------------------------------------------------------ creating and opening
    @classmethod
    def create(
        cls,
        root: str | Path,
        *,
        spec: dict[str, Any],
        spec_hash: str,
        points: list[dict[str, Any]],
        replicates: int,
        seeds: list[int],
        outcomes: list[str],
        resume: bool,
    ) -> Store:
        """Open a sweep directory for writing: new, or resumed when ``resume`` and hashes match."""
        store = cls(root)
        path = store.root / MANIFEST
        if store.root.exists() and not store.root.is_dir():
            raise UserError(f"--out {store.root}: exists and is not a folder")
        if path.exists():
            old = store._read_manifest()
            if not resume:
                raise UserError(
                    f"--out {store.root}: already holds a sweep; pass --resume to continue it, "
                    "or choose another --out"
                )
            if old.get("spec_hash") != spec_hash:
                raise UserError(
                    f"--out {store.root}: holds a different sweep (spec hash {old.get('spec_hash')}, "
                    f"this spec {spec_hash}); resume it with its own spec, or choose another --out"
                )
            store.manifest = old
        else:
            n = len(points) * replicates
            store.manifest = {
                "format": FORMAT,
                "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                "spec_hash": spec_hash,
                "spec": spec,
                "replicates": replicates,
                "outcomes": outcomes,
                "factors": list(points[0]) if points else [],
                "points": points,
                "runs": {
                    "run_id": list(range(n)),
                    "point_id": [i // replicates for i in range(n)],
                    "replicate": [i % replicates for i in range(n)],
                    "seed": seeds,
                },
            }
            store.runs_dir.mkdir(parents=True, exist_ok=True)
            _atomic_write_bytes(path, json.dumps(store.manifest, indent=1).encode("utf-8"))
        store.runs_dir.mkdir(parents=True, exist_ok=True)
        store._clean_temporaries()
        store.schema = store._schema()
        return store

    @classmethod
    def open(cls, root: str | Path) -> Store:
        """Open an existing sweep directory for reading."""
        store = cls(root)
        store.manifest = store._read_manifest()
        store.schema = store._schema()
        return store

    def _read_manifest(self) -> dict[str, Any]:
        path = self.root / MANIFEST
        if not path.is_file():
            raise UserError(f"{self.root}: not a sweep directory (no {MANIFEST})")
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as err:
            raise UserError(f"{path}: broken manifest ({err})") from None
        problem = _manifest_problem(data)
        if problem:
            raise UserError(f"{path}: broken manifest ({problem})")
        return data

    def _clean_temporaries(self) -> None:
        """Remove half-written parts left by a killed writer; their runs are simply unfinished."""
        for tmp in self.runs_dir.glob(".*.tmp"):
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()

    def _schema(self) -> pa.Schema:
        points = self.manifest["points"]
        fields = [
            pa.field("run_id", pa.int64()),
            pa.field("point_id", pa.int64()),
            pa.field("replicate", pa.int64()),
            pa.field("seed", pa.int64()),
            pa.field("status", pa.string()),
            pa.field("error", pa.string()),
            pa.field("seconds", pa.float64()),
            pa.field("worker", pa.string()),
        ]
        for name in self.manifest["factors"]:
            fields.append(pa.field(name, _factor_type([p[name] for p in points])))
        fields += [pa.field(name, pa.float64()) for name in self.manifest["outcomes"]]
        return pa.schema(fields)

    # ------------------------------------------------------------------ runs
    @property
    def n_runs(self) -> int:
        return len(self.manifest["runs"]["run_id"])

    def part_path(self, run_id: int) -> Path:
        return self.runs_dir / f"run-{run_id:08d}.parquet"

    def finished(self) -> set[int]:
        """Run ids with a whole part on disk (ok or failed); an empty or cut-off part is not."""
        done = set()
        for p in self.runs_dir.glob("run-*.parquet"):
            with contextlib.suppress(ValueError):
                rid = int(p.stem.removeprefix("run-"))
                if 0 <= rid < self.n_runs and _whole_parquet(p):
                    done.add(rid)
        return done

    def write(self, record: RunRecord) -> None:
        """Write one finished run as its own part, atomically."""
        assert self.schema is not None
        runs = self.manifest["runs"]
        rid = record.run_id
        point = self.manifest["points"][runs["point_id"][rid]]
        row: dict[str, Any] = {
            "run_id": rid,
            "point_id": runs["point_id"][rid],
            "replicate": runs["replicate"][rid],
            "seed": runs["seed"][rid],
            "status": record.status,
            "error": record.error,
            "seconds": record.seconds,
            "worker": record.worker,
        }
        for name in self.manifest["factors"]:
            value = point[name]
            typ = self.schema.field(name).type
            row[name] = (
                json.dumps(value) if typ == pa.string() and not isinstance(value, str) else value
            )
        for name in self.manifest["outcomes"]:
            row[name] = record.outcomes.get(name) if record.status == "ok" else None
        table = pa.Table.from_pylist([row], schema=self.schema)
        sink = pa.BufferOutputStream()
        pq.write_table(table, sink)
        _atomic_write_bytes(self.part_path(rid), sink.getvalue().to_pybytes())

    def write_series(self, record: RunRecord) -> None:
        """Write a finished run's monthly series (``column@month`` outcomes), if it has any."""
        from .series import is_series, split

        keys = [k for k in record.outcomes if is_series(k)]
        if record.status != "ok" or not keys:
            return
        row = pd.DataFrame([{"run_id": record.run_id, **{k: record.outcomes[k] for k in keys}}])
        _, table = split(row, ["run_id"])
        (self.root / SERIES).mkdir(exist_ok=True)
        sink = pa.BufferOutputStream()
        pq.write_table(pa.Table.from_pandas(table, preserve_index=False), sink)
        path = self.root / SERIES / f"run-{record.run_id:08d}.parquet"
        _atomic_write_bytes(path, sink.getvalue().to_pybytes())

    # ------------------------------------------------------------------ reading
    def series(self) -> pd.DataFrame:
        """Monthly series of the finished runs that have them: run_id, month, columns."""
        parts = sorted((self.root / SERIES).glob("run-*.parquet"))
        if not parts:
            return pd.DataFrame(columns=["run_id", "month"])
        return pd.concat([pd.read_parquet(p) for p in parts], ignore_index=True)

    def runs(self) -> pd.DataFrame:
        """All finished runs, one row each, sorted by run id."""
        assert self.schema is not None
        parts = sorted(self.runs_dir.glob("run-*.parquet"))
        if not parts:
            return self.schema.empty_table().to_pandas()
        table = pq.ParquetDataset([str(p) for p in parts], schema=self.schema).read()
        return table.to_pandas().sort_values("run_id", ignore_index=True)


def load_runs(root: str | Path, status: str | None = None) -> pd.DataFrame:
    """Load a sweep's runs with pandas; ``status='ok'`` keeps only the successful ones."""
    df = Store.open(root).runs()
    return df if status is None else df[df["status"] == status].reset_index(drop=True)


def load_manifest(root: str | Path) -> dict[str, Any]:
    """The sweep's manifest: spec, spec hash, design points and run table."""
    return Store.open(root).manifest


def query(root: str | Path, sql: str) -> pd.DataFrame:
    """Run DuckDB SQL where the table ``runs`` is the sweep's Parquet dataset."""
    try:
        import duckdb
    except ImportError:  # pragma: no cover - duckdb is a dev extra
        raise UserError("query needs duckdb: pip install duckdb") from None
    con = duckdb.connect()
    pattern = str(Path(root) / RUNS / "run-*.parquet")
    con.execute(f"CREATE VIEW runs AS SELECT * FROM read_parquet('{pattern}')")
    return con.execute(sql).df()
