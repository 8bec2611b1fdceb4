"""Progress: the live line on a terminal, plain lines otherwise, quiet and verbose switches."""

import io
import os
import re

from tfcourse.training import console


def test_render_shows_step_bar_loss_rate_and_time_left():
    line = console.render(2500, 10000, 0.0123, 500.0)
    assert line == ("step 2500/10000 [#####...............]  25%  loss 0.0123  500 steps/s  "
                    "0:15 left")
    assert console.format_seconds(3725) == "1:02:05"


def test_progress_line_redraws_in_place_at_most_ten_times_a_second_and_clears():
    stream, now = io.StringIO(), [100.0]
    line = console.ProgressLine(stream, per_second=10, clock=lambda: now[0])
    line.update(0, 1000, 1.0)            # the first call only starts the clock
    now[0] += 1.0
    line.update(100, 1000, 0.5)          # drawn: 100 steps in 1 s
    now[0] += 0.05
    line.update(105, 1000, 0.4)          # within 0.1 s: not drawn
    assert stream.getvalue() == "\r" + console.render(100, 1000, 0.5, 100.0) + "\x1b[K"
    line.clear()
    assert stream.getvalue().endswith("\r\x1b[K")


def test_quiet_prints_one_line(workdir, tfcourse):
    outcome = tfcourse("train", "--max_step=30", "--quiet")
    assert outcome.code == 0
    assert re.match(r"trained to global step 30: loss [\d.e-]+; latest checkpoint "
                    r"\./tmp/model/model\.ckpt-30\n$", outcome.out)


def test_verbose_prints_every_checkpoint_and_no_live_line_off_a_terminal(workdir, tfcourse):
    outcome = tfcourse("train", "--max_step=30", "--save_every=10", "--verbose")
    assert outcome.code == 0
    saved = [line for line in outcome.out.splitlines() if line.startswith("saved ")]
    assert saved[:3] == ["saved ./tmp/model/model.ckpt-{}".format(step) for step in (10, 20, 30)]
    assert "\r" not in outcome.out  # captured output is not a terminal: plain lines only


def test_quiet_and_verbose_together_are_refused(workdir, tfcourse):
    outcome = tfcourse("train", "--quiet", "--verbose")
    assert outcome.code == 2
    assert outcome.err.endswith("tfcourse train: error: flags --quiet and --verbose exclude "
                                "each other\n")
    assert not os.path.exists("tmp")
