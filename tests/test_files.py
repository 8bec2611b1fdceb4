"""tfcourse.files: atomic files and staged directories on a real file system."""

import os
import re
import stat

import pytest

from tfcourse import files
from tfcourse.errors import DataError, UsageError


def test_atomic_write_replaces_the_file_with_umask_permissions(tmp_path):
    path = tmp_path / "out.csv"
    path.write_text("old")
    previous = os.umask(0o027)
    try:
        with files.atomic_write(str(path), "w") as stream:
            stream.write("new")
            assert path.read_text() == "old"  # not visible before the block ends
    finally:
        os.umask(previous)
    assert path.read_text() == "new"
    assert stat.S_IMODE(os.stat(str(path)).st_mode) == 0o640
    assert os.listdir(str(tmp_path)) == ["out.csv"]


def test_atomic_write_that_fails_leaves_the_old_file_and_no_temporary(tmp_path):
    path = tmp_path / "out.png"
    path.write_bytes(b"old")
    with pytest.raises(RuntimeError):
        with files.atomic_write(str(path), "wb") as stream:
            stream.write(b"half")
            raise RuntimeError("disk full")
    assert path.read_bytes() == b"old"
    assert os.listdir(str(tmp_path)) == ["out.png"]


def test_write_text_is_utf8(tmp_path):
    path = tmp_path / "config.yaml"
    files.write_text(str(path), "name: Größe\n")
    assert path.read_bytes() == "name: Größe\n".encode("utf-8")


def test_staged_directory_publishes_into_new_parents_and_discards_them(tmp_path):
    target = tmp_path / "a" / "b" / "model"
    stage = files.StagedDirectory(str(target), "staging")
    assert os.path.basename(stage.directory).startswith(".model.staging-{}-".format(os.getpid()))
    (tmp_path / "a" / "b" / os.path.basename(stage.directory) / "x").write_text("1")
    stage.publish()
    assert (target / "x").read_text() == "1"
    stage.discard()  # published: kept
    assert target.is_dir()

    other = files.StagedDirectory(str(tmp_path / "c" / "d" / "model"), "staging")
    other.discard()
    assert sorted(os.listdir(str(tmp_path))) == ["a"]  # the parents it made are gone too


def test_staged_directory_replaces_only_when_asked(tmp_path):
    target = tmp_path / "export"
    target.mkdir()
    (target / "old").write_text("old")
    stage = files.StagedDirectory(str(target), "export")
    (tmp_path / os.path.basename(stage.directory) / "new").write_text("new")
    with pytest.raises(OSError):
        stage.publish()  # a non-empty target is not removed without replace
    assert (target / "old").read_text() == "old"
    stage.publish(replace=True)
    assert os.listdir(str(target)) == ["new"]
    assert os.listdir(str(tmp_path)) == ["export"]


def test_stale_stage_of_a_dead_process_is_removed(tmp_path):
    stale = tmp_path / ".model.staging-999999-abc"
    stale.mkdir()
    live = tmp_path / ".model.staging-{}-abc".format(os.getpid())
    live.mkdir()
    stage = files.StagedDirectory(str(tmp_path / "model"), "staging")
    assert not stale.exists() and live.exists()
    stage.discard()


def test_check_output_names_the_problem(tmp_path):
    (tmp_path / "exists.csv").write_text("x")
    with pytest.raises(UsageError, match="exists; pass --overwrite"):
        files.check_output(str(tmp_path / "exists.csv"), overwrite=False)
    with pytest.raises(UsageError, match="is a directory"):
        files.check_output(str(tmp_path), overwrite=True)
    with pytest.raises(UsageError, match="does not exist"):
        files.check_output(str(tmp_path / "nowhere" / "x.csv"), overwrite=False)
    files.check_output(str(tmp_path / "exists.csv"), overwrite=True)


def test_a_file_that_cannot_be_written_is_named_not_its_temporary():
    with pytest.raises(DataError) as caught:
        with files.atomic_write("/proc/1/predictions.csv") as stream:
            stream.write("x")
    assert str(caught.value).startswith("/proc/1/predictions.csv: cannot write: ")
    with pytest.raises(DataError, match=r"^/proc/1/export: cannot write: "):
        files.StagedDirectory("/proc/1/export", "export")


def test_check_output_dir_names_the_setting(tmp_path):
    (tmp_path / "a_file").write_text("x")
    with pytest.raises(UsageError, match=r"^export_dir .*a_file is a file, expected a directory"):
        files.check_output_dir(str(tmp_path / "a_file"), "export_dir")
    with pytest.raises(UsageError, match=r"is inside a file"):
        files.check_output_dir(str(tmp_path / "a_file" / "sub"), "model_dir")
    files.check_output_dir(str(tmp_path / "new" / "dir"), "model_dir")  # creatable: fine
    assert not (tmp_path / "new").exists()  # and nothing was created


def _special_paths(tmp_path):
    """A FIFO, a symlink to /dev/null, a directory, a symlink to a directory, a dangling link."""
    fifo = tmp_path / "fifo"
    os.mkfifo(str(fifo))
    to_null, to_dir, dangling = tmp_path / "null", tmp_path / "dirlink", tmp_path / "dangling"
    os.symlink(os.devnull, str(to_null))
    (tmp_path / "dir").mkdir()
    os.symlink(str(tmp_path / "dir"), str(to_dir))
    os.symlink(str(tmp_path / "missing"), str(dangling))
    return [(fifo, "a FIFO (named pipe)"), (to_null, "a symlink to a character device"),
            (tmp_path / "dir", "a directory"), (to_dir, "a symlink to a directory"),
            (dangling, "a symlink to a missing file")]


def test_an_existing_non_regular_output_is_never_replaced(tmp_path):
    for path, kind in _special_paths(tmp_path):
        assert files.non_regular(str(path)) == kind
        for overwrite in (False, True):
            with pytest.raises(UsageError) as err:
                files.check_output(str(path), overwrite)
            assert str(err.value) == ("output {} is {}, not a regular file; it is never "
                                      "replaced: give a file name".format(path, kind))
        if kind != "a symlink to a missing file":
            with pytest.raises(DataError, match=re.escape("{}: {}; it is never replaced".format(
                    path, kind))):
                with files.atomic_write(str(path)) as stream:
                    stream.write("x")
    assert stat.S_ISFIFO(os.lstat(str(tmp_path / "fifo")).st_mode)
    assert os.readlink(str(tmp_path / "null")) == os.devnull
    assert files.non_regular(str(tmp_path / "nothing")) is None
    assert not [name for name in os.listdir(str(tmp_path)) if name.endswith(".tmp")]


def test_a_symlink_to_a_regular_file_keeps_the_link_and_replaces_its_file(tmp_path):
    target, link = tmp_path / "real.csv", tmp_path / "link.csv"
    target.write_text("old")
    os.symlink(str(target), str(link))
    assert files.non_regular(str(link)) is None
    files.check_output(str(link), overwrite=True)
    files.write_text(str(link), "new")
    assert os.path.islink(str(link)) and target.read_text() == "new"
