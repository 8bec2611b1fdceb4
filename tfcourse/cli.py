"""Command line: ``tfcourse train|restore|evaluate|predict|plot|inspect|export|eject [flags]``.

Flags are defined with ``tf.app.flags`` (absl, see ``tfcourse.cli_flags``) and parsed
strictly: an unknown or misspelled flag is an error, unlike TF 1.12's ``tf.app.run``,
which drops unknown flags. Errors become one line on stderr and an exit code:
2 for usage or config errors, 1 for data or runtime errors, 130 when
interrupted. ``--verbose`` shows the traceback.
"""

import collections
import difflib
import os
import sys
import traceback

from tfcourse import cli_open
from tfcourse.cli_flags import CONFIG_FLAGS, FLAGS, command_help, flag_error, flags
from tfcourse.errors import TfcourseError, UsageError
from tfcourse.training.launch import CLUSTER_FLAGS


def _run_train(given):
    from tfcourse.training import launch
    launch.train(given)


def _run_restore(given):
    from tfcourse.commands import restore
    restore.restore(given["ckpt"], given.get("predict"))


def _run_evaluate(given):
    from tfcourse.commands import predict
    predict.evaluate(given["ckpt"], given["input"])


def _run_predict(given):
    from tfcourse.commands import predict
    predict.predict(given["ckpt"], given["input"], given["output"], given.get("overwrite", False))


def _run_plot(given):
    from tfcourse.commands import plot
    plot.plot(given["ckpt"], given["output"], given.get("overwrite", False))


def _run_inspect(given):
    from tfcourse.commands import inspect as inspect_ckpt
    inspect_ckpt.inspect(given["ckpt"], given.get("show_ops", False))


Command = collections.namedtuple("Command", "help flags required function")
Command.__doc__ = """One command: its help line, the flags it takes, the flags it needs and the
function that runs it on the flag values given (a dict)."""

COMMANDS = {
    "train": Command("train a model (built-in course data unless the config names a CSV)",
                     CONFIG_FLAGS + ("dry_run", "quiet", "verbose") + CLUSTER_FLAGS +
                     ("sync", "wait_secs", "allow_data_change"),
                     (), _run_train),
    "restore": Command("rebuild a trained model, restore its checkpoint, print what it learned",
                       ("ckpt", "predict", "verbose"), ("ckpt",), _run_restore),
    "evaluate": Command("print a trained model's loss and metrics on a labelled CSV file",
                        ("ckpt", "input", "verbose"), ("ckpt", "input"), _run_evaluate),
    "predict": Command("write a trained model's predictions for the rows of a CSV file",
                       ("ckpt", "input", "output", "overwrite", "verbose"),
                       ("ckpt", "input", "output"), _run_predict),
    "plot": Command("draw a trained model's fit and learning curves into a PNG file",
                    ("ckpt", "output", "overwrite", "verbose"), ("ckpt", "output"), _run_plot),
    "inspect": Command("print what a checkpoint holds: variables, global step, config (any TF "
                       "checkpoint)", ("ckpt", "show_ops", "verbose"), ("ckpt",), _run_inspect),
    "export": Command("write a trained model as a SavedModel (tag serve, signature "
                      "serving_default), or as a formula, Python, SQL or JSON in the data's "
                      "units", cli_open.EXPORT_FLAGS, ("ckpt",), cli_open.run_export),
    "eject": Command("write a model (--config or --ckpt) as one course-style TensorFlow script "
                     "that trains it", cli_open.EJECT_FLAGS, ("output",), cli_open.run_eject),
}

USAGE = """usage: tfcourse COMMAND [--flag=value ...]

commands:
{}

examples:
  tfcourse train --model linear --max_step 1000
  tfcourse train --config configs/linear.yaml --learning_rate 0.05
  tfcourse train --data data/diabetes.csv --label progression --data.batch_size 64
  tfcourse train --data data/penguins.csv --label species --model softmax --dry_run
  tfcourse restore --ckpt ./tmp/model/ --predict 1.0,2.5
  tfcourse train --config configs/diabetes.yaml
  tfcourse evaluate --ckpt ./tmp/diabetes/ --input data/diabetes.csv
  tfcourse predict --ckpt ./tmp/diabetes/ --input data/diabetes.csv --output predictions.csv
  tfcourse plot --ckpt ./tmp/diabetes/ --output diabetes.png
  tfcourse inspect --ckpt ./tmp/model/ --show_ops
  tfcourse export --ckpt ./tmp/model/ --export_dir ./tmp/export/
  tfcourse export --ckpt ./tmp/diabetes/ --format formula --output diabetes.txt
  tfcourse eject --config configs/penguins.yaml --output penguins.py

'tfcourse COMMAND --help' lists a command's flags.
exit codes: 0 success, 1 data or runtime error, 2 usage or config error, 130 interrupted."""


def _usage():
    return USAGE.format("\n".join("  {:9s} {}".format(name, command.help)
                                  for name, command in sorted(COMMANDS.items())) +
                        "\n  version   print the versions of tfcourse, TensorFlow, Python and numpy")


def parse(argv):
    """Parses ``argv`` (program name first) into ``(command, flag values given)``.

    Returns:
        ``(command, given)`` where ``given`` maps each flag present on the
        command line to its value; ``command`` is None when help was printed.

    Raises:
        UsageError: unknown command or flag, bad flag value, stray argument,
            or a flag the command does not take.
    """
    args = list(argv[1:])
    if not args:
        raise UsageError("no command given; 'tfcourse --help' lists the commands")
    if args[0] in ("-h", "--help", "help"):
        print(_usage())
        return None, {}
    if args[0] in ("--version", "version"):
        from tfcourse import version
        print(version.versions(args[1:]))
        return None, {}
    command = args.pop(0)
    if command not in COMMANDS:
        close = difflib.get_close_matches(command, list(COMMANDS) + ["version"], n=1)
        raise UsageError("unknown command '{}'{}; expected one of: {}".format(
            command, " (did you mean '{}'?)".format(close[0]) if close else "",
            ", ".join(sorted(COMMANDS) + ["version"])))
    if any(arg in ("-h", "--help", "--helpfull", "--helpshort") for arg in args):
        print(command_help(command, COMMANDS[command]))
        return None, {}
    for arg in args:
        name = arg.lstrip("-").split("=")[0]
        if arg.startswith("-") and name in ("undefok", "flagfile"):
            raise UsageError("flag --{} is not supported by tfcourse".format(name))
    FLAGS.unparse_flags()
    try:
        rest = FLAGS([argv[0]] + args)
    except flags.Error as err:
        raise UsageError(flag_error(err))
    if len(rest) > 1:
        raise UsageError("unexpected argument '{}' (flags are written --name=value)".format(rest[1]))
    allowed = COMMANDS[command].flags
    given = {}
    for name in FLAGS:
        if FLAGS[name].present:
            if name not in allowed:
                raise UsageError("flag --{} is not used by 'tfcourse {}'".format(name, command))
            if FLAGS[name].value == "":
                raise UsageError("flag --{} is empty".format(name))
            given[name] = FLAGS[name].value
    return command, given


def run(command, given):
    """Runs a parsed command; returns the exit code.

    Raises:
        UsageError: a flag the command needs is missing.
    """
    entry = COMMANDS[command]
    missing = [name for name in entry.required if not given.get(name)]
    if missing:
        raise UsageError("{} needs {}".format(command, ", ".join("--" + name for name in missing)))
    entry.function(given)
    return 0


def _verbose(argv):
    """Whether ``--verbose`` was asked for, also when parsing failed."""
    if FLAGS.is_parsed() and FLAGS["verbose"].present:
        return FLAGS.verbose
    return any(arg.lstrip("-") in ("verbose", "verbose=true", "verbose=1") for arg in argv[2:])


def main(argv=None):
    """Entry point of the ``tfcourse`` console script; returns the exit code."""
    argv = sys.argv if argv is None else argv
    prefix = "tfcourse " + argv[1] if len(argv) > 1 and argv[1] in COMMANDS else "tfcourse"
    try:
        command, given = parse(argv)
        if command is None:
            return 0
        from tfcourse.tf_compat import show_tf_logs  # a command runs: TensorFlow is needed
        show_tf_logs(given.get("verbose", False))
        return run(command, given)
    except TfcourseError as err:
        return _fail(prefix, str(err), err.exit_code, argv)
    except KeyboardInterrupt:
        return _fail(prefix, "interrupted; nothing was saved", 130, argv)
    except _op_error() as err:
        return _fail(prefix, "TensorFlow error: {}".format(err.message.splitlines()[0]), 1, argv)
    except BrokenPipeError:  # output piped into a program that stopped reading
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except OSError as err:
        return _fail(prefix, "{}: {}".format(err.filename or "", err.strerror or err), 1, argv)
    except Exception as err:  # noqa: BLE001  (one line, not a traceback, unless --verbose)
        return _fail(prefix, "unexpected {}: {} (run with --verbose for the traceback)".format(
            type(err).__name__, err), 1, argv)


class _NoOpError(Exception):
    """Stands for TensorFlow's ``OpError`` while TensorFlow is not imported (none can occur)."""


def _op_error():
    """``tf.errors.OpError`` once a command imported TensorFlow (``--help`` never does)."""
    if "tfcourse.tf_compat" not in sys.modules:
        return _NoOpError
    return sys.modules["tfcourse.tf_compat"].tf.errors.OpError


def _fail(prefix, message, code, argv):
    if _verbose(argv):
        traceback.print_exc()
    sys.stderr.write("{}: error: {}\n".format(prefix, " ".join(message.split())))
    return code


def console_main():
    """``setup.py`` console-script entry."""
    sys.exit(main())
