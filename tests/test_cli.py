"""End to end through the command line: train, restore, strict flags, exit codes, nothing created."""

import os
import re
import subprocess
import sys

import pytest

from conftest import tree


@pytest.mark.slow
def test_train_then_restore_as_a_real_process(workdir, tfcourse_process):
    trained = tfcourse_process("train", "--model", "linear", "--max_step", "1000")
    assert trained.code == 0, trained.err
    assert "step 1000/1000" in trained.out
    assert os.path.exists("tmp/model/model.ckpt-1000.index")
    restored = tfcourse_process("restore", "--ckpt", "./tmp/model/", "--predict", "1.0,2.5")
    assert restored.code == 0, restored.err
    weight = float(re.search(r"weight\[x\] = (\S+)", restored.out).group(1))
    bias = float(re.search(r"bias = (\S+)", restored.out).group(1))
    assert abs(weight - 0.8) < 1e-3 and abs(bias - 0.7) < 1e-3
    predictions = [float(v) for v in re.findall(r"prediction for x = \S+: (\S+)", restored.out)]
    assert predictions == pytest.approx([0.8 * 1.0 + 0.7, 0.8 * 2.5 + 0.7], abs=3e-3)
    assert "global_step 1000" in restored.out
    assert restored.err == ""


def test_restore_accepts_a_checkpoint_prefix(workdir, tfcourse):
    assert tfcourse("train", "--max_step=20", "--save_every=10").code == 0
    outcome = tfcourse("restore", "--ckpt", "tmp/model/model.ckpt-10")
    assert outcome.code == 0, outcome.err
    assert "global_step 10)" in outcome.out


def test_yaml_and_flags_reach_the_run(workdir, tfcourse, tmp_path):
    (tmp_path / "c.yaml").write_text("max_step: 40\nlog_every: 20\nmodel_dir: m\n")
    outcome = tfcourse("train", "--config", "c.yaml", "--max_step", "60")
    assert outcome.code == 0, outcome.err
    assert "step 60/60" in outcome.out and "step 20/60" in outcome.out
    assert os.path.exists("m/model.ckpt-60.index")
    assert "max_step: 60" in open("m/config.yaml").read()


@pytest.mark.parametrize("args, message", [
    (["train", "--max-step", "10"], r"Unknown command line flag 'max-step'.*max_step"),
    (["train", "--max_stp=10"], r"Unknown command line flag 'max_stp'"),
    (["train", "--max_step=abc"], r"flag --max_step=abc"),
    (["train", "--max_step=0"], r"flag --max_step: max_step = 0: expected an integer >= 1"),
    (["train", "--learning_rate=nan"], r"learning_rate = nan: expected a finite number"),
    (["train", "--model=forest"], r"flag --model=forest"),
    (["train", "--ckpt=x"], r"flag --ckpt is not used by 'tfcourse train'"),
    (["train", "extra"], r"unexpected argument 'extra'"),
    (["fit"], r"unknown command 'fit'; expected one of: eject, evaluate, export, inspect, plot, "
                       r"predict, restore, train, version"),
    (["trian"], r"unknown command 'trian' \(did you mean 'train'\?\); expected one of: eject, "),
    (["export", "--ckpt", "m"], r"export needs --export_dir \(or --format formula\|python\|sql\|json "
                                r"with --output\)"),
    (["train", "--config", "missing.yaml"], r"config missing.yaml: cannot read"),
    (["restore"], r"restore needs --ckpt"),
    (["predict", "--ckpt=m"], r"predict needs --input, --output"),
    (["restore", "--ckpt=x", "--max_step=3"], r"flag --max_step is not used by 'tfcourse restore'"),
])
def test_usage_errors_exit_2_with_one_line_and_create_nothing(workdir, tfcourse, args, message):
    outcome = tfcourse(*args)
    assert outcome.code == 2
    assert re.search(message, outcome.err), outcome.err
    assert outcome.err.count("\n") == 1 and outcome.err.startswith("tfcourse")
    assert tree(workdir) == []


def test_restore_errors_exit_1_naming_the_path(workdir, tfcourse):
    os.mkdir("empty")
    open("notes.txt", "w").close()
    before = tree(workdir)
    for ckpt, message in [("nowhere", r"no checkpoint at nowhere: no such directory"),
                          ("empty", r"no checkpoint found in directory empty"),
                          ("notes.txt", r"notes.txt is not a checkpoint")]:
        outcome = tfcourse("restore", "--ckpt", ckpt)
        assert outcome.code == 1
        assert re.search(message, outcome.err), outcome.err
        assert outcome.err.count("\n") == 1
    assert tree(workdir) == before


@pytest.mark.slow
def test_no_traceback_unless_verbose(workdir, tfcourse_process):
    quiet = tfcourse_process("restore", "--ckpt", "nowhere")
    assert quiet.code == 1 and "Traceback" not in quiet.err
    verbose = tfcourse_process("restore", "--ckpt", "nowhere", "--verbose")
    assert verbose.code == 1 and "Traceback" in verbose.err


def test_help_lists_commands_and_flags_with_defaults(tfcourse):
    top = tfcourse("--help")
    assert top.code == 0 and "train" in top.out and "restore" in top.out
    train = tfcourse("train", "--help")
    assert train.code == 0
    assert "--max_step: global step to train to (steps) (default: 1000)" in train.out
    assert "--model_dir" in train.out and "--ckpt" not in train.out


@pytest.mark.slow
def test_log_device_placement_prints_devices(workdir, tfcourse_process):
    outcome = tfcourse_process("train", "--max_step=1", "--log_device_placement")
    assert outcome.code == 0, outcome.err
    assert re.search(r"linear_model/weights.*device:CPU:0", outcome.out + outcome.err)


def test_each_command_help_marks_its_required_flags_and_only_its_flags(tfcourse):
    from tfcourse import cli
    for name, command in cli.COMMANDS.items():
        assert set(command.required) <= set(command.flags), name
        shown = tfcourse(name, "--help").out
        flags = re.findall(r"^  --([\w.]+): ", shown, re.M)
        assert flags == list(command.flags), name
        required = re.findall(r"^  --(\w+): .*\(required\)$", shown, re.M)
        assert required == list(command.required), name
    assert cli.COMMANDS["export"].required == ("ckpt",)  # and --export_dir or --output
    assert {"ps_hosts", "worker_hosts", "job_name", "task_index", "sync", "wait_secs"} <= set(
        cli.COMMANDS["train"].flags)


def test_train_with_a_bad_tf_config_is_a_usage_error(workdir, tfcourse, monkeypatch):
    monkeypatch.setenv("TF_CONFIG", '{"cluster": {"ps": [')
    outcome = tfcourse("train", "--max_step=1")
    assert outcome.code == 2 and tree(workdir) == []
    assert re.match(r"tfcourse train: error: TF_CONFIG: not valid JSON", outcome.err), outcome.err


@pytest.mark.slow
def test_help_builds_nothing_and_imports_no_tensorflow_or_scikit_learn():
    code = ("import sys\nfrom tfcourse import cli\n"
            "codes = [cli.main(['tfcourse', '--help']), cli.main(['tfcourse', 'train', '--help']),"
            " cli.main(['tfcourse', 'train', '--max-step=3'])]\n"
            "print(codes, sorted(name for name in ('tensorflow', 'sklearn', 'pandas', 'matplotlib')"
            " if name in sys.modules))\n")
    proc = subprocess.run([sys.executable, "-c", code], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, universal_newlines=True, check=True)
    assert proc.stdout.splitlines()[-1] == "[0, 0, 2] []"
    assert "usage: tfcourse train" in proc.stdout and "--histogram_every" in proc.stdout
    assert "Unknown command line flag 'max-step'" in proc.stderr


@pytest.mark.slow
def test_console_script_imports_the_cli_directly(tmp_path):
    import console_script  # scripts/console_script.py, which scripts/setup.sh runs
    path = str(tmp_path / "tfcourse")
    console_script.write(path)
    with open(path) as handle:
        text = handle.read()
    assert text.startswith("#!{}\n".format(os.path.abspath(sys.executable)))
    assert "pkg_resources" not in text.replace("without pkg_resources", "")
    proc = subprocess.run([path, "train", "--help"], stdout=subprocess.PIPE,
                          universal_newlines=True)
    assert proc.returncode == 0 and proc.stdout.startswith("usage: tfcourse train")
