"""The snapshot log: the single hand-off from training to rendering.

On disk it is one compressed `.npz` (loadable with `numpy.load`) holding the static arrays
(data points, grid), one array per snapshot field stacked over snapshots, and the metadata as
JSON bytes under `meta`. Fields are streamed to disk while training and back while rendering,
so memory stays flat however many snapshots a log holds.
"""
from __future__ import annotations

import json
import os
import shutil
import zipfile
from pathlib import Path

import numpy as np

from .errors import NnvizError
from .outputs import create, open_new, temporary_dir

LOG_VERSION = 1
META = "meta"
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # fixed, so identical logs are identical bytes
_CHUNK = 1 << 20


class LogError(NnvizError):
    """A file that is not a readable nnviz snapshot log."""


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


class SnapshotLog:
    """A saved log: `meta`, `log[name]` for a whole array, `log.stream(names)` snapshot by snapshot."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        if not self.path.is_file():
            raise LogError(f"snapshot log {self.path} does not exist; "
                           f"make one with `nnviz train NAME` or `nnviz render NAME`")
        try:
            with zipfile.ZipFile(self.path) as zf:
                self.names = sorted(n[:-4] for n in zf.namelist() if n.endswith(".npy"))
            meta = json.loads(self[META].tobytes().decode()) if META in self.names else None
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, UnicodeDecodeError,
                zipfile.LargeZipFile) as e:
            raise LogError(f"{self.path} is not a readable nnviz snapshot log ({e}); "
                           f"render again without --from to make a new one") from None
        if not isinstance(meta, dict) or "log_version" not in meta:
            raise LogError(f"{self.path} is not an nnviz snapshot log (no nnviz metadata); "
                           f"give a .npz written by `nnviz train` or `nnviz render`")
        if meta["log_version"] > LOG_VERSION:
            raise LogError(f"{self.path} was written by a newer nnviz (log version "
                           f"{meta['log_version']}, this nnviz reads up to {LOG_VERSION}); "
                           f"upgrade nnviz to render it")
        self.meta = meta

    def __len__(self) -> int:
        return self.meta["snapshots"]

    def __contains__(self, name: str) -> bool:
        return name in self.names

    def __getitem__(self, name: str) -> np.ndarray:
        """The whole array `name`, read from disk."""
        try:
            with zipfile.ZipFile(self.path) as zf, zf.open(f"{name}.npy") as f:
                return np.lib.format.read_array(f, allow_pickle=False)
        except KeyError:
            raise KeyError(f"snapshot log {self.path.name} has no field {name!r}") from None
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as e:
            raise LogError(f"{self.path} is damaged: field {name!r} cannot be read ({e})") from None

    def stream(self, names: list[str]):
        """Yield one dict {name: array} per snapshot, reading each field sequentially."""
        with zipfile.ZipFile(self.path) as zf:
            readers = []
            for name in names:
                f = zf.open(f"{name}.npy")
                version = np.lib.format.read_magic(f)
                read_header = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                               else np.lib.format.read_array_header_2_0)
                shape, _, dtype = read_header(f)
                item = tuple(shape[1:])
                size = int(np.prod(item, dtype=np.int64)) * dtype.itemsize
                readers.append((name, f, item, size, dtype))
            try:
                for _ in range(len(self)):
                    yield {name: np.frombuffer(f.read(size), dtype).reshape(item)
                           for name, f, item, size, dtype in readers}
            except (zipfile.BadZipFile, OSError, ValueError, EOFError) as e:
                raise LogError(f"{self.path} is damaged and cannot be rendered ({e})") from None
            finally:
                for _, f, *_ in readers:
                    f.close()

    def __repr__(self):
        return f"SnapshotLog({str(self.path)!r}, scene={self.meta.get('scene')!r}, snapshots={len(self)})"


def load(path: str | Path) -> SnapshotLog:
    """Open a saved snapshot log."""
    return SnapshotLog(path)
