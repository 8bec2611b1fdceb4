"""The flags and command functions of ``tfcourse export --format`` and ``tfcourse eject``
(``tfcourse.cli`` lists them in its command table)."""

from tfcourse.cli_flags import CONFIG_FLAGS, flags
from tfcourse.errors import UsageError

flags.DEFINE_enum("format", "saved_model", ["saved_model", "formula", "python", "sql", "json"],
                  "export: a SavedModel (into --export_dir), or the model in the data's own "
                  "units as a formula, a Python function, an SQL expression or JSON (into "
                  "--output)")

EXPORT_FLAGS = ("ckpt", "export_dir", "format", "output", "overwrite", "verbose")
EJECT_FLAGS = CONFIG_FLAGS + ("ckpt", "output", "overwrite", "verbose")


def run_export(given):
    """``tfcourse export``: a SavedModel, or a text format (``commands.export_formats``)."""
    fmt = given.get("format", "saved_model")
    if fmt == "saved_model":
        if given.get("output"):
            raise UsageError("flag --output is for --format formula|python|sql|json; a "
                             "SavedModel goes into --export_dir")
        if not given.get("export_dir"):
            raise UsageError("export needs --export_dir (or --format formula|python|sql|json "
                             "with --output)")
        from tfcourse.commands import export
        export.export(given["ckpt"], given["export_dir"], given.get("overwrite", False))
        return
    if given.get("export_dir"):
        raise UsageError("flag --export_dir is for the SavedModel; --format {} writes "
                         "--output".format(fmt))
    if not given.get("output"):
        raise UsageError("export --format {} needs --output".format(fmt))
    from tfcourse.commands import export_formats
    export_formats.export_text(given["ckpt"], fmt, given["output"], given.get("overwrite", False))


def run_eject(given):
    """``tfcourse eject``: the model of a config or a model directory as a course script."""
    from tfcourse.commands import eject
    eject.eject_command(given)
