"""The snapshot log: the single hand-off from training to rendering.

On disk it is one compressed `.npz` (loadable with `numpy.load`) holding the static arrays
(data points, grid), one array per snapshot field stacked over snapshots, and the metadata as
JSON bytes under `meta`. Fields are streamed to disk while training and back while rendering,
so memory stays flat however many snapshots a log holds.
"""
from __future__ import annotations

import json
import math
import os
import shutil
import zipfile
from pathlib import Path

import numpy as np

from . import logschema, memory
from ..errors import LogError  # LogError: raised and caught by callers here
from ..outputs import create, open_new, temporary_dir

LOG_VERSION = 1
META = "meta"
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # fixed, so identical logs are identical bytes
_CHUNK = 1 << 20
# Memory bounds relative to the file's own size, checked before anything is decompressed.
# Real logs' members declare 1.1x to 4.2x their file's size; the writer's deflate level 1 cannot
# pass about 230x (all zeros), a level-9 zip bomb reaches 1000x.
MAX_EXPANSION = 250
# what loading allocates (small arrays whole, one snapshot of the large ones): real logs 0.01x
# to 0.1x; a log holding only N=1 of a highly compressible field reaches a few x
MAX_ALLOCATION = 50
MIN_ALLOWANCE = 1 << 20   # ... or this many bytes, whichever is more
MAX_META = 1 << 20        # bytes of JSON metadata (real logs: about 1.3 kB)


def _npy_header(dtype: np.dtype, shape: tuple[int, ...]) -> bytes:
    import io
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(buf, {
        "descr": np.lib.format.dtype_to_descr(np.dtype(dtype)),
        "fortran_order": False, "shape": tuple(int(s) for s in shape)})
    return buf.getvalue()


def _write_member(zf: zipfile.ZipFile, name: str, dtype, shape, chunks) -> None:
    info = zipfile.ZipInfo(f"{name}.npy", date_time=_ZIP_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    info._compresslevel = 1  # speed over a few per cent of size; numpy reads it the same
    with zf.open(info, "w", force_zip64=True) as out:
        out.write(_npy_header(dtype, shape))
        for chunk in chunks:
            out.write(chunk)


class LogWriter:
    """Collect snapshots field by field in temporary files, then assemble the `.npz`.

    Use as a context manager: the log appears under `path` only when `commit()` succeeds;
    on any error the temporary files are removed.
    """

    def __init__(self, path: str | Path, meta: dict, static: dict[str, np.ndarray]):
        self.path = Path(path)
        self.meta = dict(meta)
        self.static = {k: np.asarray(v) for k, v in static.items()}
        self._tmpdir = temporary_dir(self.path.with_name(f"{self.path.name}.fields"))
        self._files: dict[str, object] = {}
        self._raw: dict[str, Path] = {}
        self._specs: dict[str, tuple[np.dtype, tuple[int, ...]]] = {}
        self._ranges: dict[str, list[float]] = {}
        self.count = 0

    def append(self, fields: dict[str, np.ndarray]) -> None:
        """Add one snapshot; every snapshot must give the same fields with the same shapes."""
        if self.count and fields.keys() != self._specs.keys():
            raise ValueError(f"snapshot fields changed: {sorted(fields)} vs {sorted(self._specs)}")
        for name, value in fields.items():
            value = np.asarray(value)
            spec = (value.dtype, value.shape)
            if name not in self._files:
                self._raw[name] = self._tmpdir / f"{len(self._files)}.raw"
                self._files[name] = open_new(self._raw[name])
                self._specs[name] = spec
            elif spec != self._specs[name]:
                raise ValueError(f"snapshot field {name!r} changed from {self._specs[name]} to {spec}")
            self._files[name].write(value.tobytes())
            if value.dtype.kind == "f" and value.size:
                lo, hi = float(value.min()), float(value.max())
                old = self._ranges.setdefault(name, [lo, hi])
                old[0], old[1] = min(old[0], lo), max(old[1], hi)
        self.count += 1

    def read(self, name: str) -> np.ndarray:
        """Field `name` of every snapshot so far (count, *shape), read back from its temporary
        file: for work done once after training (the loss landscape needs the trajectory)."""
        f = self._files[name]
        f.flush()
        dtype, shape = self._specs[name]
        return np.fromfile(self._raw[name], dtype).reshape(self.count, *shape)

    def commit(self) -> Path:
        meta = dict(self.meta, log_version=LOG_VERSION, snapshots=self.count,
                    ranges=self._ranges)
        tmp, fd = create(self.path)
        try:
            with os.fdopen(fd, "wb") as out, zipfile.ZipFile(out, "w", allowZip64=True) as zf:
                raw = np.frombuffer(json.dumps(meta, sort_keys=True).encode(), np.uint8)
                _write_member(zf, META, raw.dtype, raw.shape, [raw.tobytes()])
                for name, value in sorted(self.static.items()):
                    _write_member(zf, name, value.dtype, value.shape, [value.tobytes()])
                for name, f in self._files.items():
                    f.close()
                    dtype, shape = self._specs[name]
                    with open(self._raw[name], "rb") as src:
                        _write_member(zf, name, dtype, (self.count, *shape),
                                      iter(lambda: src.read(_CHUNK), b""))
            os.replace(tmp, self.path)
        finally:
            tmp.unlink(missing_ok=True)
        return self.path

    def close(self) -> None:
        for f in self._files.values():
            f.close()
        shutil.rmtree(self._tmpdir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def add_static(path: str | Path, arrays: dict[str, np.ndarray], meta: dict | None = None) -> None:
    """Add static arrays (and update meta with `meta`) in a committed log that is still our
    own temporary: work done after training that needs other logs too (the shared landscape
    of several runs, nnviz.run.runtrain).

    The log is written again beside itself, member by member in its order (meta first, the new
    arrays after the old static ones), and replaces the old file: deterministic bytes.
    """
    path = Path(path)
    tmp, fd = create(path)
    try:
        with zipfile.ZipFile(path) as src, os.fdopen(fd, "wb") as out, \
                zipfile.ZipFile(out, "w", allowZip64=True) as zf:
            old = json.loads(np.lib.format.read_array(src.open(f"{META}.npy")).tobytes().decode())
            raw = np.frombuffer(json.dumps(dict(old, **(meta or {})), sort_keys=True).encode(),
                                np.uint8)
            _write_member(zf, META, raw.dtype, raw.shape, [raw.tobytes()])
            for name, value in sorted(arrays.items()):
                value = np.ascontiguousarray(value)
                _write_member(zf, name, value.dtype, value.shape, [value.tobytes()])
            for info in src.infolist():
                name = info.filename[:-4]
                if name == META or name in arrays:
                    continue
                with src.open(info) as f:
                    version = np.lib.format.read_magic(f)   # our own log: 1.0 as written
                    read_header = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                                   else np.lib.format.read_array_header_2_0)
                    shape, _, dtype = read_header(f)
                    _write_member(zf, name, dtype, shape, iter(lambda: f.read(_CHUNK), b""))
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


class SnapshotLog:
    """A saved log: `meta`, `log[name]` for a whole array, `log.stream(names)` snapshot by snapshot.

    A log may be a stranger's file (`render --from`), so opening one checks all of it before
    anything is drawn: the zip's declared sizes against the file and the npy headers (memory),
    the metadata, and every field against `logschema` (dtypes, shapes, values).
    """

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.label = self.path   # the file named in errors (a copy names its source)
        if not self.path.is_file():
            raise LogError(f"snapshot log {self.label} does not exist; "
                           f"make one with `nnviz train NAME` or `nnviz render NAME`")
        try:
            with zipfile.ZipFile(self.path) as zf:
                members = {i.filename[:-4]: i for i in zf.infolist() if i.filename.endswith(".npy")}
                if META not in members:
                    raise LogError(f"{self.label} is not an nnviz snapshot log (no nnviz metadata); "
                                   f"give a .npz written by `nnviz train` or `nnviz render`")
                self._check_sizes(members.values())
                self._headers = {name: _header(zf, info) for name, info in members.items()}
                self._check_allocation()
                meta = self._read_meta(zf)
        except _Invalid as e:
            raise self._invalid(e) from None
        except _UNREADABLE as e:
            raise LogError(f"{self.label} is not a readable nnviz snapshot log ({e}); "
                           f"render again without --from to make a new one") from None
        if not isinstance(meta, dict) or "log_version" not in meta:
            raise LogError(f"{self.label} is not an nnviz snapshot log (no nnviz metadata); "
                           f"give a .npz written by `nnviz train` or `nnviz render`")
        version = meta["log_version"]
        if isinstance(version, bool) or not isinstance(version, int) or version < 1:
            raise self._invalid(f"meta 'log_version' must be a whole number, got {version!r}")
        if version > LOG_VERSION:
            raise LogError(f"{self.label} was written by a newer nnviz (log version "
                           f"{version}, this nnviz reads up to {LOG_VERSION}); "
                           f"upgrade nnviz to render it")
        self.meta = meta
        self.names = sorted(self._headers)
        self._arrays: dict[str, np.ndarray] = {}
        try:
            logschema.check_meta(meta)
            self._arrays = logschema.check_fields(
                meta, {n: h[:2] for n, h in self._headers.items()}, self._read)
        except _Invalid as e:
            raise self._invalid(e) from None
        self._check_finite(logschema.scanned(self.names))

    def _invalid(self, problem) -> LogError:
        return LogError(f"{self.label} cannot be rendered: {problem}; "
                        f"make a new log with `nnviz train NAME`")

    def _check_sizes(self, members) -> None:
        """Refuse, before decompressing anything, what would take memory the file does not hold.

        Deflate expands up to about 1000:1; real logs are nearly incompressible (float data), so
        a log declaring far more than its own size is a zip bomb, not a log.
        """
        size, declared = self.path.stat().st_size, 0
        for info in members:
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise _Invalid(f"member {info.filename!r} uses compression method "
                               f"{info.compress_type}; nnviz logs use deflate")
            if info.flag_bits & 0x1:
                raise _Invalid(f"member {info.filename!r} is encrypted")
            declared += info.file_size
        if declared > max(MAX_EXPANSION * size, MIN_ALLOWANCE):
            raise _Invalid(f"its members declare {declared:,} bytes in a file of {size:,} bytes, "
                           f"more than {MAX_EXPANSION}x (a zip bomb?)")

    def _check_finite(self, names: list[str]) -> None:
        """Per-snapshot fields `names` hold finite values: read in chunks of whole snapshots
        (about _CHUNK bytes), never whole, so memory stays flat however long the log."""
        try:
            with zipfile.ZipFile(self.path) as zf:
                for name in names:
                    shape, dtype, offset = self._headers[name]
                    width = math.prod(shape[1:])
                    rows = max(1, _CHUNK // max(1, width * dtype.itemsize))
                    with zf.open(f"{name}.npy") as f:
                        f.read(offset)
                        for start in range(0, shape[0], rows):
                            n = min(rows, shape[0] - start)
                            data = f.read(n * width * dtype.itemsize)
                            if len(data) != n * width * dtype.itemsize:
                                raise LogError(f"{self.label} is damaged: field {name!r} ends "
                                               f"early; make a new log with `nnviz train NAME`")
                            bad = ~np.isfinite(np.frombuffer(data, dtype).reshape(n, width)).all(1)
                            if bad.any():
                                raise self._invalid(f"field {name!r} holds NaN or infinite values "
                                                    f"at snapshot {start + int(np.argmax(bad))}")
        except _UNREADABLE as e:
            raise LogError(f"{self.label} is damaged and cannot be rendered ({e})") from None

    def _check_allocation(self) -> None:
        size = self.path.stat().st_size
        need = memory.load_bytes({n: h[:2] for n, h in self._headers.items()})
        if need > max(MAX_ALLOCATION * size, MIN_ALLOWANCE):
            raise _Invalid(f"its headers ask for {need:,} bytes of memory in a file of {size:,} "
                           f"bytes, more than {MAX_ALLOCATION}x")

    def _read_meta(self, zf: zipfile.ZipFile):
        shape, dtype, _ = self._headers[META]
        if len(shape) != 1 or dtype != np.uint8 or shape[0] > MAX_META:
            raise _Invalid(f"field 'meta' must be at most {MAX_META:,} bytes of JSON, "
                           f"got shape {shape} of {dtype}")
        return json.loads(self._read(META).tobytes().decode())

    def __len__(self) -> int:
        return self.meta["snapshots"]

    def __contains__(self, name: str) -> bool:
        return name in self.names

    def __getitem__(self, name: str) -> np.ndarray:
        """The whole array `name` (the small ones were read and checked when the log was opened)."""
        if name in self._arrays:
            return self._arrays[name]
        try:
            return self._read(name)
        except _UNREADABLE as e:
            raise LogError(f"{self.label} is damaged: field {name!r} cannot be read ({e})") from None

    def _read(self, name: str) -> np.ndarray:
        if name not in self._headers:
            raise KeyError(f"snapshot log {self.path.name} has no field {name!r}")
        with zipfile.ZipFile(self.path) as zf, zf.open(f"{name}.npy") as f:
            return np.lib.format.read_array(f, allow_pickle=False)

    def stream(self, names: list[str]):
        """Yield one dict {name: array} per snapshot, reading each field sequentially.

        Never more than one snapshot of each field is in memory; fields the schema wants finite
        are checked snapshot by snapshot here, since they are never read whole.
        """
        with zipfile.ZipFile(self.path) as zf:
            readers = []
            for name in names:
                shape, dtype, offset = self._headers[name]
                f = zf.open(f"{name}.npy")
                f.read(offset)
                field = logschema.field_for(name)
                finite = bool(field and field.finite)
                readers.append((name, f, shape[1:], memory.nbytes(shape[1:], dtype), dtype, finite))
            try:
                for i in range(len(self)):
                    snap = {}
                    for name, f, item, size, dtype, finite in readers:
                        data = f.read(size)
                        if len(data) != size:
                            raise LogError(f"{self.label} is damaged: field {name!r} ends at "
                                           f"snapshot {i}; make a new log with `nnviz train NAME`")
                        snap[name] = np.frombuffer(data, dtype).reshape(item)
                        if finite and not np.all(np.isfinite(snap[name])):
                            raise self._invalid(f"field {name!r} holds NaN or infinite values "
                                                f"at snapshot {i}")
                    yield snap
            except _UNREADABLE as e:
                raise LogError(f"{self.label} is damaged and cannot be rendered ({e})") from None
            finally:
                for _, f, *_ in readers:
                    f.close()

    def model(self, i: int):
        """The trained network with snapshot i's parameters (negative i counts from the end).

        An `nn.Sequential` rebuilt from the log alone (no scene code): it takes inputs in the
        standardised units it trained in and gives raw outputs (logits for classes,
        standardised targets unless the scene kept them); `predict` works in data units.
        Parameters are logged as float32, so the rebuilt network holds the trained values
        rounded to float32 (about 7 significant digits) and, computing in float64, matches
        the network seen in training to about 1e-6 relative, not bit for bit.
        """
        from .rebuild import model
        return model(self, i)

    def predict(self, i: int, x) -> np.ndarray:
        """Snapshot i's predictions for inputs x (n, n_in) in the data's own units.

        What the log's output grid holds, for any inputs: x is standardised as in training,
        class outputs are softmax probabilities (with the softmax cross-entropy loss) and
        regression outputs are returned to the targets' units. Same float32 precision as
        `model`.
        """
        from .rebuild import predict
        return predict(self, i, x)

    def __repr__(self):
        return f"SnapshotLog({str(self.path)!r}, scene={self.meta.get('scene')!r}, snapshots={len(self)})"


_Invalid = logschema.Invalid
_UNREADABLE = (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError,
               UnicodeDecodeError, RecursionError)


def _header(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> tuple[tuple[int, ...], np.dtype, int]:
    """(shape, dtype, header length) of one member, read from its npy header alone.

    The header's shape must account for exactly the member's declared size, so nothing later
    allocates more than the zip declares (and `_check_sizes` bounded that by the file's size).
    """
    name = info.filename[:-4]
    with zf.open(info) as f:
        version = np.lib.format.read_magic(f)
        if version not in ((1, 0), (2, 0)):
            raise _Invalid(f"field {name!r} has npy format version {version}; expected 1.0 or 2.0")
        read_header = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                       else np.lib.format.read_array_header_2_0)
        shape, fortran, dtype = read_header(f)
        offset = f.tell()
    if dtype.hasobject:
        raise _Invalid(f"field {name!r} holds Python objects (a pickle), which nnviz never loads")
    if fortran:
        raise _Invalid(f"field {name!r} is stored in Fortran order; nnviz logs are in C order")
    if dtype.itemsize == 0 or memory.nbytes(shape, dtype) != info.file_size - offset:
        raise _Invalid(f"field {name!r}: its header declares shape {shape} of {dtype} but the "
                       f"member holds {info.file_size - offset:,} bytes of data")
    return shape, dtype, offset


def load(path: str | Path) -> SnapshotLog:
    """Open a saved snapshot log."""
    return SnapshotLog(path)
