"""Progress of a training run on an interactive terminal: one line, rewritten in place.

    step 4200/10000 [########............]  42%  loss 0.0123  812 steps/s  1:07 left

It is redrawn at most ``per_second`` times a second and cleared before any
other line is printed, so log lines and the live line never mix. When output
is not a terminal, tfcourse prints plain log lines only (see ``--log_every``).
"""

import sys
import time

WIDTH = 20


def format_seconds(seconds):
    """``m:ss`` or ``h:mm:ss``."""
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return ("{}:{:02d}:{:02d}".format(hours, minutes, seconds) if hours
            else "{}:{:02d}".format(minutes, seconds))


def render(step, max_step, loss, steps_per_second):
    """The progress line for ``step`` of ``max_step`` (no newline)."""
    done = min(max(step / float(max_step), 0.0), 1.0)
    bar = "#" * int(done * WIDTH)
    left = ("  {} left".format(format_seconds((max_step - step) / steps_per_second))
            if steps_per_second > 0 else "")
    return "step {}/{} [{}{}] {:3.0f}%  loss {:.6g}  {:.0f} steps/s{}".format(
        step, max_step, bar, "." * (WIDTH - len(bar)), done * 100, loss, steps_per_second, left)


class ProgressLine(object):
    """The live line; ``update`` after every ``session.run``, ``clear`` before printing."""

    def __init__(self, stream=None, per_second=10.0, clock=time.time):
        self.stream = stream or sys.stdout
        self.interval = 1.0 / per_second
        self.clock = clock
        self.shown = False
        self.last_draw = 0.0
        self.start = None

    def update(self, step, max_step, loss):
        now = self.clock()
        if self.start is None:
            self.start = (now, step)
            return
        if now - self.last_draw < self.interval:
            return
        elapsed = now - self.start[0]
        rate = (step - self.start[1]) / elapsed if elapsed > 0 else 0.0
        self.stream.write("\r" + render(step, max_step, loss, rate) + "\x1b[K")
        self.stream.flush()
        self.shown, self.last_draw = True, now

    def clear(self):
        if self.shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self.shown = False
