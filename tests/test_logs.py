"""A snapshot log is a stranger's file: every field is checked before anything is drawn.

Damaged logs are crafted from two small real ones (a 2-D classifier, a 1-D regression) and
rendered through the CLI (`nnviz.cli.main`, in this process to stay fast; the memory and path
cases run in a subprocess). Each must end in exit 1 and one line naming the field, with nothing
written anywhere. The per-field battery runs every generic fault against every field the table
knows, so a new field is covered by adding it to `logschema`.
"""
import html
import io
import json
import resource
import sys
import zipfile
import zlib

import numpy as np
import pytest

from nnviz import cli
from nnviz.log import logschema
from nnviz.draw import panels
from nnviz.learn import scene
from nnviz.draw.frames import FrameRenderer
from nnviz.learn.scene import resolve
from nnviz.log.record import train
from nnviz.log.snapshots import load

from conftest import TINY_SCENE, assert_one_line_error, run_cli, tree

QUICK = ["--quick", "--formats", "mp4", "-q"]
LOGS = {"2d": "xor_two_classes", "1d": "linear_regression"}


@pytest.fixture(scope="module")
def logs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("logs")
    # with grad/ and update/, which training adds for the panels that draw the step
    paths = {key: train(resolve(name)(), folder / f"{name}.npz", steps=20, every=5,
                        gradients=True).path for key, name in LOGS.items()}
    # with the loss landscape, which only training for the landscape panel adds
    paths["ls"] = train(resolve("xor_two_classes")(), folder / "ls.npz", steps=20, every=5,
                        landscape=True, gradients=True).path
    return paths


def read_log(path):
    with np.load(path) as z:
        arrays = {k: z[k] for k in z.files}
    return json.loads(arrays.pop("meta").tobytes()), arrays


def npy(array, **kw) -> bytes:
    buf = io.BytesIO()
    np.lib.format.write_array(buf, array, allow_pickle=True, **kw)
    return buf.getvalue()


def write_log(path, meta, arrays, raw=None, level=6):
    """A log as nnviz lays it out; `raw` gives members as npy bytes (for crafted headers)."""
    members = {"meta": npy(np.frombuffer(json.dumps(meta).encode(), np.uint8))}
    members.update({k: npy(v) for k, v in arrays.items()})
    members.update(raw or {})
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as zf:
        for name, data in members.items():
            zf.writestr(f"{name}.npy", data)
    return path


def render_from(log, out, capsys):
    with pytest.raises(SystemExit) as done:
        cli.main(["render", "--from", str(log), "--out", str(out), *QUICK])
    return done.value.code, capsys.readouterr().err


def assert_refused(log, tmp_path, capsys, *fragments):
    """Exit 1, one line naming the fault, nothing written anywhere under tmp_path."""
    before = tree(tmp_path)
    code, err = render_from(log, tmp_path / "out", capsys)
    lines = err.strip().splitlines()
    assert code == 1 and len(lines) == 1 and lines[0].startswith("Error: "), (code, err)
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
    assert tree(tmp_path) == before


# ----------------------------------------------------------------------------- fields, generically

def _with(a, i, value):
    a = a.astype(np.float64 if a.dtype.kind != "f" else a.dtype)
    a.flat[i] = value
    return a


FAULTS = {   # fault: (applies to this array?, the damaged array)
    "dtype": (lambda a: True, lambda a: a.astype(np.complex128)),
    "text": (lambda a: True, lambda a: a.astype("U8")),
    "extra dimension": (lambda a: True, lambda a: a[..., None]),
    "scalar": (lambda a: a.ndim, lambda a: a.reshape(-1)[0]),
    "one row less": (lambda a: a.ndim and len(a) > 1, lambda a: a[1:]),
    "one column less": (lambda a: a.ndim > 1, lambda a: a[:, 1:]),
    "empty": (lambda a: a.ndim, lambda a: a[:0]),
    "fortran": (lambda a: a.ndim > 1 and min(a.shape) > 1, np.asfortranarray),
    "nan": (lambda a: a.dtype.kind == "f", lambda a: _with(a, 0, np.nan)),
    "inf at the end": (lambda a: a.dtype.kind == "f", lambda a: _with(a, -1, -np.inf)),
    "huge": (lambda a: a.dtype == np.float64, lambda a: _with(a, 0, 1e300)),
}
UNREAD = {   # (field, fault) a render accepts: the landscape panel draws overflowed losses
    ("ls", "landscape/loss", "nan"), ("ls", "landscape/loss", "inf at the end"),
}


def field_cases():
    return [pytest.param(key, field, fault, id=f"{key}-{field}-{fault}")
            for key in FIELDS for field in FIELDS[key] for fault in FAULTS
            if (key, field, fault) not in UNREAD]


STANDARDIZER = ["standardizer/x_mean", "standardizer/x_std", "standardizer/y_mean",
                "standardizer/y_std"]
FIELDS = {   # the fields each real log holds (checked against the logs in test_cases_cover_logs)
    "2d": ["data/x_train", "data/y_train", "data/x_val", "data/y_val", "grid/x0", "grid/x1",
           "step", "loss/train", "loss/val", "accuracy/train", "accuracy/val",
           "predicted/train", "predicted/val", "output", "param/0.W", "param/4.b", *STANDARDIZER,
           "grad/0.W", "grad/4.b", "update/0.b", "update/4.W"],
    "1d": ["data/x_train", "data/y_train", "data/x_val", "data/y_val", "grid/x", "step",
           "loss/train", "loss/val", "output", "param/0.W", *STANDARDIZER, "grad/0.W",
           "update/0.b"],
    "ls": list(logschema.LANDSCAPE),
}


def test_cases_cover_logs(logs):
    for key in ("2d", "1d"):
        _, arrays = read_log(logs[key])
        sampled = ("param/", "grad/", "update/")   # one field of a family stands for all
        assert set(FIELDS[key]) == {n for n in arrays if not n.startswith(sampled)} | {
            n for n in FIELDS[key] if n.startswith(sampled)}
    _, arrays = read_log(logs["ls"])
    assert set(FIELDS["ls"]) == {n for n in arrays if n.startswith("landscape/")}


@pytest.mark.parametrize("key, field, fault", field_cases())
def test_damaged_field(logs, tmp_path, capsys, key, field, fault):
    meta, arrays = read_log(logs[key])
    applies, damage = FAULTS[fault]
    if not applies(arrays[field]):
        pytest.skip(f"{fault} does not apply to {field}")
    arrays[field] = damage(arrays[field])
    if field.startswith("param/") and "network" not in meta["panels"]:
        meta["panels"].insert(1, "network")   # the panel that reads (and so checks) every value
    assert_refused(write_log(tmp_path / "bad.npz", meta, arrays), tmp_path, capsys, repr(field))


@pytest.mark.parametrize("key", LOGS)
def test_missing_field(logs, tmp_path, capsys, key):
    meta, arrays = read_log(logs[key])
    needed = set(logschema.ALWAYS).union(*(logschema.PANEL_FIELDS[p] for p in meta["panels"]))
    for field in sorted(needed):
        rest = {k: v for k, v in arrays.items() if k != field}
        assert_refused(write_log(tmp_path / "bad.npz", meta, rest), tmp_path, capsys,
                       f"field {field!r} is missing")


VALUES = [   # (log, field, damaged array from the good one, fragment)
    ("2d", "step", lambda a: a[::-1].copy(), "is not in increasing order"),
    ("2d", "step", lambda a: a - 10, "holds negative steps"),
    ("2d", "step", lambda a: a.astype(np.float64), "has dtype float64, expected integer"),
    ("2d", "accuracy/val", lambda a: a + 1, "holds values outside 0..1"),
    ("2d", "grid/x0", lambda a: a[::-1].copy(), "is not strictly increasing"),
    ("1d", "grid/x", lambda a: np.zeros_like(a), "is not strictly increasing"),
    ("1d", "grid/x", lambda a: a[:1], "G must be at least 2"),
    ("2d", "predicted/val", lambda a: a.astype(np.float32), "expected integer"),
    ("2d", "output", lambda a: a[..., :1], "disagrees with K = 2 (from 'data/y_train')"),
    ("1d", "output", lambda a: a[:, ::2], "disagrees with G = 400 (from 'grid/x')"),
    ("2d", "data/x_val", lambda a: a[:, :1], "disagrees with D = 2 (from 'data/x_train')"),
]


@pytest.mark.parametrize("key, field, damage, fragment", VALUES,
                         ids=[f"{k}-{f}-{m}" for k, f, _, m in VALUES])
def test_bad_values(logs, tmp_path, capsys, key, field, damage, fragment):
    meta, arrays = read_log(logs[key])
    arrays[field] = damage(arrays[field])
    assert_refused(write_log(tmp_path / "bad.npz", meta, arrays), tmp_path, capsys,
                   repr(field), fragment)


def test_boundary_takes_one_probability_column(logs, tmp_path, capsys):
    """Two classes as one 0/1 column with P(class 1) as the only output (a sigmoid neuron's
    log) draw the same boundary as the one-hot pair they were cut from."""
    meta, arrays = read_log(logs["2d"])
    for name in ("data/y_train", "data/y_val", "output", "standardizer/y_mean", "standardizer/y_std"):
        arrays[name] = arrays[name][..., 1:]
    meta["panels"] = ["boundary", "loss"]
    meta["architecture"] = None   # its network gives two outputs: the loader refuses that now
    code, err = render_from(write_log(tmp_path / "one.npz", meta, arrays), tmp_path / "out", capsys)
    assert code == 0, err
    one, two = (FrameRenderer(load(p), (320, 240)) for p in (tmp_path / "one.npz", logs["2d"]))
    for renderer in (one, two):
        list(renderer.frames())
    a, b = (r.panels[0] for r in (one, two))
    assert np.array_equal(a.image.values, b.image.values)
    assert [np.array_equal(x, y) for (_, x), (_, y) in zip(a.data, b.data)] == [True, True]


def test_grids_that_do_not_fit(logs, tmp_path, capsys):
    meta, arrays = read_log(logs["2d"])
    arrays["grid/x"] = arrays["grid/x0"]
    assert_refused(write_log(tmp_path / "a.npz", meta, arrays), tmp_path, capsys, "make two grids")
    meta, arrays = read_log(logs["1d"])
    del arrays["grid/x"]
    meta["panels"] = ["loss"]
    assert_refused(write_log(tmp_path / "b.npz", meta, arrays), tmp_path, capsys,
                   "field 'output' is there but no grid")


def test_pickles_stay_refused(logs, tmp_path, capsys):
    meta, arrays = read_log(logs["2d"])
    for field in ("data/x_train", "loss/train", "output", "unknown"):
        raw = {field: npy(np.array([{"a": 1}, None], dtype=object))}
        log = write_log(tmp_path / "bad.npz", meta, {k: v for k, v in arrays.items() if k != field}, raw)
        assert_refused(log, tmp_path, capsys, repr(field), "Python objects (a pickle)")


def test_other_npy_versions_and_compression(logs, tmp_path, capsys):
    meta, arrays = read_log(logs["2d"])
    raw = {"loss/train": npy(arrays.pop("loss/train"), version=(3, 0))}
    assert_refused(write_log(tmp_path / "v3.npz", meta, arrays, raw), tmp_path, capsys,
                   "'loss/train' has npy format version (3, 0)")
    meta, arrays = read_log(logs["2d"])
    log = tmp_path / "bz2.npz"
    with zipfile.ZipFile(logs["2d"]) as zin, zipfile.ZipFile(log, "w") as zout:
        for item in zin.infolist():
            method = zipfile.ZIP_BZIP2 if item.filename == "output.npy" else zipfile.ZIP_DEFLATED
            zout.writestr(item.filename, zin.read(item), compress_type=method)
    assert_refused(log, tmp_path, capsys, "'output.npy' uses compression method 12")


# ----------------------------------------------------------------------------- metadata

META = [   # (key, bad value, fragment); None as value: the key is removed
    ("log_version", "1", "meta 'log_version'"), ("log_version", 1.0, "meta 'log_version'"),
    ("log_version", 0, "meta 'log_version'"), ("log_version", True, "meta 'log_version'"),
    ("snapshots", 0, "meta 'snapshots'"), ("snapshots", -3, "meta 'snapshots'"),
    ("snapshots", "5", "meta 'snapshots'"), ("snapshots", 5.0, "meta 'snapshots'"),
    ("snapshots", float("nan"), "meta 'snapshots'"), ("snapshots", None, "meta 'snapshots'"),
    ("snapshots", 6, "field 'step' has shape (5,), which disagrees with N = 6 (from meta 'snapshots')"),
    ("snapshots", 4, "field 'step' has shape (5,), which disagrees with N = 4"),
    ("title", 5, "meta 'title'"), ("title", None, "meta 'title'"), ("title", ["a"], "meta 'title'"),
    ("description", {"a": 1}, "meta 'description'"), ("description", None, "meta 'description'"),
    ("kind", "clustering", "meta 'kind'"), ("kind", None, "meta 'kind'"),
    ("panels", [], "meta 'panels'"), ("panels", "loss", "meta 'panels'"),
    ("panels", ["loss", 3], "meta 'panels'"), ("panels", ["nope"], "unknown panel 'nope'"),
    ("panels", ["loss", "loss"], "meta 'panels'"), ("panels", ["boundary", "heatmap"], "meta 'panels'"),
    ("panels", None, "meta 'panels'"), ("panels", ["fit", "loss"], "field 'grid/x' is missing; the fit panel"),
    ("options", None, "meta 'options'"), ("options", [1], "meta 'options'"),
    ("architecture", "dense", "meta 'architecture'"), ("architecture", [1], "meta 'architecture'"),
    ("architecture", [{"layer": "dense", "n_in": -1, "n_out": 4}], "meta 'architecture': architecture layer 0: n_in must be"),
    ("architecture", [{"layer": "dense", "n_in": 2, "n_out": 5}],
     "field 'param/0.W' has shape (5, 2, 4), which disagrees with the expected shape (N, 2, 5)"),
]
META += [("input_names", "ab", "meta input_names must be a list"),
         ("input_names", ["a", "x" * 101], "meta input_names must be a list"),
         ("class_names", ["a\x07", "b"], "meta class_names: 'a\\x07' holds the control character")]
NAMES = ["../../x", "/tmp/nnviz-abs", "", ".", "..", ".hidden", "a/b", "a\\b", "-x", "a b",
         "ünï", "x" * 101, 7, None, ["x"]]
META += [("scene", name, "meta 'scene'") for name in NAMES]


@pytest.mark.parametrize("key, value, fragment", META, ids=[f"{k}={v!r}"[:40] for k, v, _ in META])
def test_bad_meta(logs, tmp_path, capsys, key, value, fragment):
    meta, arrays = read_log(logs["2d"])
    if value is None:
        del meta[key]
    else:
        meta[key] = value
    assert_refused(write_log(tmp_path / "bad.npz", meta, arrays), tmp_path, capsys, fragment)


def test_bad_meta_member(logs, tmp_path, capsys):
    meta, arrays = read_log(logs["2d"])
    raw = {"meta": npy(np.frombuffer(json.dumps(meta).encode(), np.uint8).astype(np.float64))}
    log = write_log(tmp_path / "float.npz", meta, arrays, raw)
    assert_refused(log, tmp_path, capsys, "field 'meta' must be at most")
    deep = np.frombuffer(b"[" * 200_000 + b"]" * 200_000, np.uint8)
    log = write_log(tmp_path / "deep.npz", meta, arrays, {"meta": npy(deep)})
    assert_refused(log, tmp_path, capsys, "not a readable nnviz snapshot log")


@pytest.mark.parametrize("name", ["../../escaped", "ABS"])
def test_log_scene_name_cannot_leave_out(logs, tmp_path, name):
    """Through a real subprocess: nothing appears outside --out (nor inside it)."""
    meta, arrays = read_log(logs["1d"])
    meta["scene"] = str(tmp_path / "abs") if name == "ABS" else name
    log = write_log(tmp_path / "evil.npz", meta, arrays)
    before = tree(tmp_path)
    r = run_cli("render", "--from", log, "--out", tmp_path / "a" / "out", *QUICK)
    assert_one_line_error(r, 1, "meta 'scene'", "is not allowed")
    assert tree(tmp_path) == before and not (tmp_path / "a").exists()


# ----------------------------------------------------------------------------- memory

def _bomb(path, meta, arrays, field, header: bytes, zeros: int, declared: int):
    """`field` as a raw deflate stream of `header` then `zeros` zero bytes, declaring `declared`.

    Each 1 MiB block is compressed from a reset dictionary, so the blocks are identical bytes
    and a stream of gigabytes is made in milliseconds (about 1000:1, deflate's ceiling).
    """
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    parts = [c.compress(header), c.flush(zlib.Z_FULL_FLUSH)]
    block = c.compress(bytes(1 << 20)) + c.flush(zlib.Z_FULL_FLUSH)
    parts += [block] * (zeros >> 20) + [c.flush()]
    write_log(path, meta, {k: v for k, v in arrays.items() if k != field})
    with zipfile.ZipFile(path, "a") as zf:   # stored, then re-labelled as deflated below
        zf.writestr(f"{field}.npy", b"".join(parts), compress_type=zipfile.ZIP_STORED)
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        start = zf.start_dir
    pos = data.find(b"PK\x01\x02", start)
    while pos >= 0:
        n = int.from_bytes(data[pos + 28:pos + 30], "little")
        if data[pos + 46:pos + 46 + n] == f"{field}.npy".encode():
            data[pos + 10:pos + 12] = zipfile.ZIP_DEFLATED.to_bytes(2, "little")
            data[pos + 24:pos + 28] = declared.to_bytes(4, "little")
        pos = data.find(b"PK\x01\x02", pos + 46)
    path.write_bytes(bytes(data))
    return path


def _header(shape, dtype) -> bytes:
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(buf, {"descr": np.lib.format.dtype_to_descr(np.dtype(dtype)),
                                               "fortran_order": False, "shape": shape})
    return buf.getvalue()


LIMIT = 900 << 20   # address space: a normal render needs under 600 MB (measured), a bomb 2 GB


def _limit_memory():
    resource.setrlimit(resource.RLIMIT_AS, (LIMIT, LIMIT))


def test_zip_bomb_is_refused_before_allocating(logs, tmp_path):
    """2 GiB of zeros in a 2 MB member: refused from the zip's declared sizes, under RLIMIT_AS."""
    meta, arrays = read_log(logs["2d"])
    header = _header((1 << 27, 2), np.float64)
    size = len(header) + (2 << 30)
    bomb = _bomb(tmp_path / "bomb.npz", meta, arrays, "data/x_train", header, 2 << 30, size)
    assert bomb.stat().st_size < 4 << 20
    before = tree(tmp_path)
    r = run_cli("render", "--from", bomb, "--out", tmp_path / "out", *QUICK, preexec_fn=_limit_memory)
    assert_one_line_error(r, 1, "members declare 2,14", "more than 250x (a zip bomb?)")
    assert tree(tmp_path) == before
    # the same limit lets the good log render: the refusal is not the limit's doing
    r = run_cli("render", "--from", logs["2d"], "--out", tmp_path / "out", *QUICK,
                preexec_fn=_limit_memory)
    assert r.returncode == 0, r.stderr


def test_member_that_inflates_past_its_declared_size(logs, tmp_path):
    """Its header and declared size agree on one snapshot's worth; the stream holds 2 GiB more:
    reading stops at the declared size (zipfile), and the damage is reported in one line."""
    meta, arrays = read_log(logs["2d"])
    shape = arrays["output"].shape
    header = _header(shape, np.float32)
    declared = len(header) + arrays["output"].nbytes
    bomb = _bomb(tmp_path / "bomb.npz", meta, arrays, "output", header, 2 << 30, declared)
    before = tree(tmp_path)
    r = run_cli("render", "--from", bomb, "--out", tmp_path / "out", *QUICK, preexec_fn=_limit_memory)
    assert_one_line_error(r, 1, "damaged")
    assert tree(tmp_path) == before


def test_header_shape_beyond_member(logs, tmp_path, capsys):
    meta, arrays = read_log(logs["2d"])
    for field, shape in [("output", (5, 100_000, 100_000, 2)), ("loss/train", (1 << 40,)),
                         ("unknown", (1 << 50, 3))]:
        data = npy(arrays.get(field, np.zeros(3)))
        lie = _header(shape, np.float32 if field == "output" else np.float64)
        raw = {field: lie + data[len(_header((1,), np.float64)):]}
        log = write_log(tmp_path / "lie.npz", meta, {k: v for k, v in arrays.items() if k != field}, raw)
        assert_refused(log, tmp_path, capsys, repr(field), f"header declares shape {shape}")


def test_compressible_array_beyond_allocation_bound(logs, tmp_path, capsys):
    """40 MB of zeros deflate to 180 kB: within the zip's ratio bound, beyond what a log of that
    size may allocate."""
    meta, arrays = read_log(logs["1d"])
    arrays["grid/x"] = np.zeros(5_000_000)
    log = write_log(tmp_path / "big.npz", meta, arrays, level=1)
    assert_refused(log, tmp_path, capsys, "ask for 40,", "more than 50x")


# ----------------------------------------------------------------------------- text

TITLES = ["$\\frac{1}{$", "$x^$", "$\\nocommand$", "$5 & <b>"]


@pytest.mark.parametrize("title", TITLES)
def test_title_is_text(logs, tmp_path, capsys, title):
    meta, arrays = read_log(logs["2d"])
    meta["title"] = meta["description"] = title
    log = write_log(tmp_path / "t.npz", meta, arrays)
    code, err = render_from(log, tmp_path / "out", capsys)
    assert code == 0, err
    page = (tmp_path / "out" / "xor_two_classes" / "xor_two_classes.html").read_text()
    assert f"<title>{html.escape(title)}</title>" in page   # the page escapes it


def test_valid_mathtext_title_is_shown_as_written(logs, tmp_path):
    meta, arrays = read_log(logs["2d"])
    meta["title"] = "$x^2$ costs $5"
    renderer = FrameRenderer(load(write_log(tmp_path / "t.npz", meta, arrays)), (320, 240))
    texts = [t for t in renderer.figure.texts if t.get_text() == meta["title"]]
    assert texts and not texts[0].get_parse_math()
    renderer.close()


# ----------------------------------------------------------------------------- scene names

@pytest.mark.parametrize("name", ["../evil", "/tmp/evil", ".", "..", ".hidden", "a/b", "a b", "x" * 101])
def test_scene_file_name_rule(tmp_path, name):   # (name = "" means: the class name in snake_case)
    path = tmp_path / "bad.py"
    path.write_text(TINY_SCENE.replace('name = "tiny"', f"name = {name!r}"))
    before = tree(tmp_path)
    command = ["render", "--quick"] if name == "../evil" else ["train"]   # both resolve alike
    r = run_cli(*command, path, "--out", tmp_path / "a" / "out")
    assert_one_line_error(r, 2, f"scene file {path}, class Tiny: scene name", "is not allowed")
    assert tree(tmp_path) == before and not (tmp_path / "a").exists()


def test_scene_class_name_that_is_not_ascii(tmp_path):
    path = tmp_path / "u.py"
    path.write_text(TINY_SCENE.replace('    name = "tiny"\n', "").replace("class Tiny", "class Ünïcode"))
    assert_one_line_error(run_cli("train", path, "--out", tmp_path / "out"), 2,
                          "scene name 'ünïcode' is not allowed")


def test_scene_name_set_in_code(tmp_path):
    import nnviz
    namespace = {}
    exec(TINY_SCENE, namespace)
    tiny = namespace["Tiny"]()
    tiny.name = "../up"
    with pytest.raises(nnviz.UsageError, match=r"scene Tiny: scene name '\.\./up' is not allowed"):
        nnviz.train(tiny, out=tmp_path / "out")
    assert not (tmp_path / "up").exists() and not (tmp_path / "out").exists()


# ----------------------------------------------------------------------------- the table itself

def test_schema_knows_what_panels_read():
    assert set(logschema.PANEL_FIELDS) == set(scene.PANELS) == set(panels.PANELS)
    for name, cls in panels.PANELS.items():
        read = {f for f in (*cls.needs, *cls.fields) if not f.startswith("param/")}
        assert read <= set(logschema.PANEL_FIELDS[name]) | set(logschema.ALWAYS), name


def test_real_logs_load_with_everything_checked(logs):
    for path in logs.values():
        log = load(path)
        rows = dict(logschema.FIELDS, **logschema.architecture_fields(log.meta["architecture"]))
        assert all(n in rows for n in log.names if n != "meta")
        assert log.meta["final_update"] == "next" and "grad/0.W" in log and "update/0.W" in log
        for snap in log.stream(["output"]):
            assert np.isfinite(snap["output"]).all()


# ----------------------------------------------------------------------------- gradient and step

def test_logs_without_gradient_and_step_still_render(logs, tmp_path, capsys):
    """grad/ and update/ are optional on load: logs written before them render as before."""
    meta, arrays = read_log(logs["2d"])
    del meta["final_update"]
    arrays = {k: v for k, v in arrays.items() if not k.startswith(("grad/", "update/"))}
    code, err = render_from(write_log(tmp_path / "old.npz", meta, arrays), tmp_path / "out", capsys)
    assert code == 0, err


STEP_FAULTS = [   # (damage to (meta, arrays), fragment)
    (lambda m, a: a.pop("update/2.b"), "field 'update/2.b' is missing"),
    (lambda m, a: [a.pop(k) for k in list(a) if k.startswith("update/")], "field 'update/0.W' is missing"),
    (lambda m, a: a.update({"grad/9.W": a["grad/0.W"]}), "'grad/9.W' has no parameter 'param/9.W'"),
    (lambda m, a: a.update({"grad/2.W": a["grad/2.W"][:, :, :3]}), "'grad/2.W' has shape (5, 4, 3)"),
    (lambda m, a: a.update({"update/0.b": a["update/0.b"].astype(np.int32)}),
     "'update/0.b' has dtype int32, expected float"),
    (lambda m, a: a["grad/4.W"].__setitem__((2, 1, 0), np.nan),
     "field 'grad/4.W' holds NaN or infinite values at snapshot 2"),
    (lambda m, a: m.update(final_update="maybe"), "meta 'final_update' must be one of next, zero"),
]


@pytest.mark.parametrize("damage, fragment", STEP_FAULTS, ids=[f for _, f in STEP_FAULTS])
def test_bad_gradient_and_step_fields(logs, tmp_path, capsys, damage, fragment):
    meta, arrays = read_log(logs["2d"])
    damage(meta, arrays)
    assert_refused(write_log(tmp_path / "bad.npz", meta, arrays), tmp_path, capsys, fragment)


def test_step_fields_match_their_parameter_without_an_architecture(logs, tmp_path, capsys):
    """A scene of its own layers has no architecture in meta: param/ shapes are free, and
    grad/ and update/ must still have exactly their parameter's shape."""
    meta, arrays = read_log(logs["2d"])
    meta["architecture"] = None
    ok = write_log(tmp_path / "ok.npz", meta, arrays)
    assert len(load(ok)) == 5
    arrays["update/0.W"] = arrays["update/0.W"][..., None]
    assert_refused(write_log(tmp_path / "bad.npz", meta, arrays), tmp_path, capsys,
                   "'update/0.W' has shape (5, 2, 4, 1), which disagrees with 'param/0.W' (5, 2, 4)")
