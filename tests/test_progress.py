"""The progress line, driven directly with a fake terminal and a fake clock."""
import io

from nnviz.progress import Progress, render_plan

from conftest import run_cli


class Terminal(io.StringIO):
    """A stream that says it is a terminal; `screen()` replays \\r and \\n as one would."""

    def isatty(self):
        return True

    def screen(self) -> list[str]:
        lines, row, col = [""], 0, 0
        for ch in self.getvalue():
            if ch == "\r":
                col = 0
            elif ch == "\n":
                row, col = row + 1, 0
                lines.append("")
            else:
                line = lines[row].ljust(col)
                lines[row] = line[:col] + ch + line[col + 1:]
                col += 1
        return [line.rstrip() for line in lines]


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


PLAN = {"training": (200, 0.002), "drawing": (200, 0.02), "encoding": (1, 1.0)}


def run_training(clock, bar, step_time=0.002):
    for _ in range(200):
        clock.now += step_time
        bar(1)


def test_file_lines_print_above_the_bar_never_into_it():
    term, clock = Terminal(), Clock()
    bar = Progress("3 scenes", {"rendering": (3.0, 1.0)}, stream=term, clock=clock,
                   min_interval=0)
    write = lambda line: term.write(line + "\n")   # stdout and stderr share the terminal
    for n in range(3):
        clock.now += 1
        bar(1.0)
        for ext in ("webm", "mp4"):
            bar.echo(f"out/scene{n}/scene{n}.{ext}    1.0 MB", write)
    bar.close()
    assert [line for line in term.screen() if line] == [
        f"out/scene{n}/scene{n}.{ext}    1.0 MB" for n in range(3) for ext in ("webm", "mp4")]


def test_the_bar_and_eta_weigh_phases_by_their_cost():
    """Training is 200 cheap steps, drawing 200 dear frames: the end of training is not half."""
    term, clock = Terminal(), Clock()
    bar = Progress("scene", PLAN, stream=term, clock=clock, min_interval=0)
    run_training(clock, bar)
    bar.phase("drawing")
    line = term.screen()[0]
    assert "   7%" in line, line           # 0.4 s of 5.4 s expected (7.4 %), not 50 %
    assert abs(bar.eta() - 5.0) < 0.01      # 200 frames at 20 ms, 1 s to finish encoding
    for _ in range(100):
        clock.now += 0.04                   # this machine draws at half the expected speed
        bar(1)
    assert abs(bar.eta() - (100 * 0.04 + 1.0)) < 0.1   # the measured pace for the rest


def test_the_label_column_does_not_move_between_phases():
    term, clock = Terminal(), Clock()
    bar = Progress("xor_two_classes", dict(PLAN, checking=(600, 0.001)), stream=term,
                   clock=clock, min_interval=0)
    seen = []
    for phase in ("training", "drawing", "encoding", "checking"):
        bar.phase(phase) if phase != "training" else None
        clock.now += 0.5
        bar(1)
        seen.append(term.screen()[0])
    assert [line.split()[0] for line in seen] == ["training", "drawing", "encoding", "checking"]
    assert len({line.index("xor_two_classes") for line in seen}) == 1, seen
    assert len({line.index("[") for line in seen}) == 1, seen


def test_the_encoding_phase_is_shown_while_ffmpeg_finishes():
    term, clock = Terminal(), Clock()
    bar = Progress("scene", PLAN, stream=term, clock=clock, min_interval=0)
    run_training(clock, bar)
    bar.phase("drawing")
    for _ in range(200):
        clock.now += 0.02
        bar(1)
    bar.phase("encoding")
    line = term.screen()[0]
    assert line.startswith("encoding  scene  [") and "100%" not in line, line
    assert "00:01 left" in line


def test_the_bar_is_erased_after_success_and_kept_after_a_failure():
    term = Terminal()
    with Progress("scene", PLAN, stream=term, min_interval=0) as bar:
        bar(1)
    assert term.screen() == [""]
    term = Terminal()
    try:
        with Progress("scene", PLAN, stream=term, min_interval=0) as bar:
            bar(1)
            raise RuntimeError
    except RuntimeError:
        pass
    assert term.screen()[0].startswith("training  scene") and term.getvalue().endswith("\n")


def test_nothing_is_drawn_off_a_terminal_or_when_quiet():
    pipe = io.StringIO()
    with Progress("scene", PLAN, stream=pipe) as bar:
        bar(5)
    term = Terminal()
    with Progress("scene", PLAN, stream=term, enabled=False) as bar:
        bar(5)
        bar.echo("a line", term.write)
    assert pipe.getvalue() == "" and term.getvalue() == "a line"


def test_render_plan_weighs_a_large_frame_above_a_small_one():
    small = render_plan(100, 100, (320, 240), 3, False)
    large = render_plan(100, 100, (1920, 1080), 3, True)
    assert list(small) == ["training", "drawing", "encoding"]
    assert list(large) == ["training", "drawing", "encoding", "checking"]
    assert large["drawing"][1] > 3 * small["drawing"][1]
    assert "training" not in render_plan(0, 10, (320, 240), 1, False)   # --from: no training


def test_several_scenes_start_longest_first_and_report_in_the_commands_order(tmp_path):
    """--all on two cores: the longest scenes start first, so the last to start are short and
    no core idles at the end; the report still lists scenes in the command's order."""
    from nnviz.cli_report import longest_first
    from nnviz.run.jobs import Job
    jobs = [Job("render", n, label=n) for n in ("a", "b", "c", "d")]
    cost = {"a": 1.0, "b": 5.0, "c": 3.0, "d": 5.0}
    assert [j.label for j in longest_first(jobs, cost)] == ["b", "d", "c", "a"]
    r = run_cli("render", "xor_two_classes", "linear_regression", "--quick", "--formats", "mp4",
                "--jobs", "1", "--out", tmp_path)
    assert r.returncode == 0, r.stderr
    names = [line.split("/")[-1].split(".")[0] for line in r.stdout.splitlines()
             if ".mp4" in line]
    assert names == ["xor_two_classes", "linear_regression"], r.stdout
