"""Every bad input answered: exit code, one line naming what and where, no traceback,
nothing created or changed. The files live in tests/bad_inputs/ (see its README)."""

import hashlib
import os
import re
import shutil
import socket

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "bad_inputs")

USAGE, DATA = 2, 1

CASES = [
    # flags
    (["train", "--max-step=5"], USAGE, r"Unknown command line flag 'max-step'\. Did you mean: max_step"),
    (["train", "--max_stpe=5"], USAGE, r"Unknown command line flag 'max_stpe'"),
    (["train", "--lerning_rate", "0.1"], USAGE, r"Unknown command line flag 'lerning_rate'"),
    (["train", "-max_step=5", "-x"], USAGE, r"Unknown command line flag 'x'"),
    (["train", "--model=forest"], USAGE, r"flag --model=forest: value should be one of"),
    (["train", "--max_step=0"], USAGE, r"flag --max_step: max_step = 0: expected an integer >= 1"),
    (["train", "--max_step=-3"], USAGE, r"max_step = -3: expected an integer >= 1"),
    (["train", "--max_step=1e3"], USAGE, r"flag --max_step=1e3"),
    (["train", "--learning_rate=0"], USAGE, r"learning_rate = 0.0: expected a number > 0"),
    (["train", "--learning_rate=-1"], USAGE, r"learning_rate = -1.0: expected a number > 0"),
    (["train", "--learning_rate=nan"], USAGE, r"learning_rate = nan: expected a finite number"),
    (["train", "--learning_rate=inf"], USAGE, r"learning_rate = inf: expected a finite number"),
    (["train", "--freeze=weights,bias"], USAGE, r"flag --freeze: freeze = \['weights', 'bias'\]: "
                                                r"every variable is frozen"),
    (["train", "--freeze=weight"], USAGE, r"freeze = \['weight'\]: expected a list of any of"),
    (["train", "stray"], USAGE, r"unexpected argument 'stray'"),
    (["train", "--seed=4294967296"], USAGE, r"flag --seed: seed = 4294967296: expected an integer <= "
                                            r"4294967295"),
    (["train", "--max_step=9223372036854775808"], USAGE, r"expected an integer <= 9223372036854775807"),
    (["train", "--max_step=nan"], USAGE, r"^tfcourse train: error: flag --max_step=nan: expected an "
                                         r"integer$"),
    (["train", "--log_device_placement=yes"], USAGE, r"flag --log_device_placement=yes: expected true "
                                                     r"or false"),
    (["train", "--undefok=max-step", "--max-step=5"], USAGE, r"flag --undefok is not supported"),
    (["train", "--flagfile=a_file"], USAGE, r"flag --flagfile is not supported"),
    (["train", "--config="], USAGE, r"flag --config is empty"),
    (["train", "--job_name=worker", "--task_index=5", "--ps_hosts=127.0.0.1:1",
      "--worker_hosts=127.0.0.1:2"], USAGE, r"flag --task_index = 5: out of range; job worker has "
                                            r"1 task\(s\), 0\.\.0"),
    (["train", "--job_name=chief", "--ps_hosts=127.0.0.1:1", "--worker_hosts=127.0.0.1:2"], USAGE,
     r"job_name"),
    (["train", "--config=huge_n_samples.yaml"], USAGE, r"huge_n_samples\.yaml:2:3: n_samples = "
                                                       r"100000000000000: expected an integer <= "
                                                       r"10000000"),
    # config files
    (["train", "--config=malformed.yaml"], USAGE, r"malformed\.yaml:2:5: invalid YAML: expected .,. or .\].*got .:."),
    (["train", "--config=list.yaml"], USAGE, r"list\.yaml: expected a mapping of config keys at the "
                                             r"top level, got a list"),
    (["train", "--config=scalar.yaml"], USAGE, r"scalar\.yaml: expected a mapping.*got an integer"),
    (["train", "--config=unknown_key.yaml"], USAGE,
     r"unknown_key\.yaml:2:1: unknown key 'learning_rte' \(did you mean 'learning_rate'\?\)"),
    (["train", "--config=mistyped.yaml"], USAGE, r"mistyped\.yaml:1:1: max_step = 'ten': expected an "
                                                 r"integer"),
    (["train", "--config=exponent.yaml"], USAGE, r"max_step = '1e3': expected an integer \(write 1000"),
    (["train", "--config=python_tag.yaml"], USAGE, r"python_tag\.yaml:1:7: invalid YAML: could not "
                                                   r"determine a constructor for the tag "
                                                   r"'tag:yaml\.org,2002:python/object/apply"),
    (["train", "--config=duplicate_key.yaml"], USAGE, r"duplicate_key\.yaml:2:1: duplicate key 'seed'"),
    (["train", "--config=data_not_mapping.yaml"], USAGE, r"data = 'diabetes\.csv': expected a mapping"),
    (["train", "--config=no_label.yaml"], USAGE, r"data\.label: the label column's name is needed"),
    (["train", "--config=binary.yaml"], USAGE, r"binary\.yaml: not UTF-8 text|binary\.yaml:1:1: invalid"),
    (["train", "--config=missing.yaml"], USAGE, r"config missing\.yaml: cannot read: No such file"),
    (["train", "--config=a_directory"], USAGE, r"config a_directory: is a directory"),
    (["train", "--config=socket.yaml"], USAGE, r"config socket\.yaml: cannot read"),
    # output directories
    (["train", "--model_dir=a_file"], USAGE, r"model_dir a_file is a file, expected a directory"),
    (["train", "--model_dir=a_file/model"], USAGE, r"model_dir a_file/model is inside a file"),
    (["train", "--summary_dir=a_file"], USAGE, r"summary_dir a_file is a file"),
    (["train", "--model_dir=a_directory"], USAGE, r"model_dir a_directory is not empty and holds no "
                                                  r"tfcourse model"),
    # checkpoints
    (["restore", "--ckpt=nowhere/model.ckpt-5"], DATA, r"no checkpoint at nowhere/model\.ckpt-5: no "
                                                      r"such directory, and no nowhere/model\.ckpt-5\.index"),
    (["restore", "--ckpt=a_directory"], DATA, r"no checkpoint found in directory a_directory"),
    (["restore", "--ckpt=really_empty"], DATA, r"no checkpoint found in directory really_empty"),
    (["restore", "--ckpt=not_a_checkpoint.txt"], DATA, r"not_a_checkpoint\.txt is not a checkpoint"),
    (["evaluate", "--ckpt=nowhere", "--input=missing_cell.csv"], DATA, r"no checkpoint at nowhere"),
    (["restore", "--ckpt=damaged_state"], DATA, r"damaged_state/checkpoint names no checkpoint"),
    (["restore", "--ckpt=model", "--predict="], USAGE, r"flag --predict is empty"),
    (["restore", "--ckpt=model", "--predict=abc"], USAGE,
     r"^tfcourse restore: error: flag --predict: 'abc' is not a number \(column x\)$"),
    (["restore", "--ckpt=model", "--predict=1e40"], USAGE,
     r"^tfcourse restore: error: flag --predict: '1e40' is not finite as float32 \(column x\)$"),
    # CSV data
    (["train", "--config=csv_empty.yaml"], DATA, r"empty\.csv: empty file, expected a header row"),
    (["train", "--config=csv_header_only.yaml"], DATA, r"header_only\.csv: no data rows after the header"),
    (["train", "--config=csv_missing_cell.yaml"], DATA, r"missing_cell\.csv:3:2 \(column 'b'\): "
                                                        r"missing value \(data\.missing: error\)$"),
    (["train", "--config=csv_non_numeric.yaml"], DATA,
     r"non_numeric\.csv:9:2 \(column 'b'\): 'four' is not a number \(15 of the column's 16 "
     r"training values are numbers; data\.columns: \{b: categorical\} reads it as categories\)$"),
    (["train", "--config=csv_ragged.yaml"], DATA, r"ragged\.csv:3: expected 3 fields as in the header, "
                                                  r"found 4"),
    (["train", "--config=csv_only_label.yaml"], DATA, r"only_label\.csv: no feature column"),
    (["train", "--config=csv_labels_not_binary.yaml"], DATA,
     r"labels_not_binary\.csv \(column 'label'\): 3 classes in the training rows \(-1, 0, 2\): "
     r"logistic regression needs exactly 2; use --model softmax$"),
    (["train", "--config=csv_one_class.yaml"], DATA,
     r"one_class\.csv \(column 'label'\): the training rows' labels hold one class only \(yes\): "
     r"a classifier needs two or more$"),
    (["train", "--config=csv_positive.yaml"], DATA,
     r"valid_variants\.csv \(column 'label'\): data\.positive = 'yes' is not one of the label's "
     r"classes: 0, 1\.0$"),
    (["train", "--config=csv_not_a_date.yaml"], DATA,
     r"not_a_date\.csv:3:2 \(column 'day'\): '2020-02-30' is not a date \(YYYY-MM-DD or "
     r"YYYY/MM/DD; data\.columns: \{day: categorical\} reads the column as categories\)$"),
    (["train", "--config=csv_unknown_ignore.yaml"], DATA,
     r"valid_variants\.csv: column\(s\) 'weight' of data\.columns / data\.ignore not found; "
     r"columns are: größe, 温度, label$"),
    (["train", "--config=csv_column_kind.yaml"], USAGE,
     r"csv_column_kind\.yaml:6:3: columns\.a = 'text': expected one of: numeric, boolean, date, "
     r"categorical, ignore$"),
    (["train", "--config=csv_delimiter.yaml"], USAGE,
     r"data\.delimiter = ';;': expected one character \(such as ';' or a tab, \"\\t\" in YAML, \\t as a flag\) or "
     r"auto$"),
    (["train", "--config=csv_missing_policy.yaml"], USAGE,
     r"csv_missing_policy\.yaml:6:3: missing = 'skip': expected one of: impute, drop, error$"),
    (["train", "--config=csv_non_finite.yaml"], DATA, r"non_finite\.csv:3:2 \(column 'b'\): '1e\+39' "
                                                      r"is not finite \(as float32\)$"),
    (["train", "--config=csv_duplicate_columns.yaml"], DATA, r"duplicate_columns\.csv:1:2: duplicate "
                                                             r"column name 'a'"),
    (["train", "--config=csv_unknown_label.yaml"], DATA, r"unknown_label\.csv: label column 'label' not "
                                                         r"found; columns are: a, b, target"),
    (["train", "--config=csv_missing_file.yaml"], DATA, r"nowhere\.csv: cannot read: No such file"),
    (["train", "--config=csv_directory.yaml"], DATA, r"a_directory: cannot read: Is a directory"),
]


def snapshot(root):
    """Every path under ``root`` with the hash of its content (None for directories, sockets)."""
    found = {}
    for directory, dirs, files in os.walk(root):
        for name in dirs + files:
            path = os.path.join(directory, name)
            digest = None
            if os.path.isfile(path):
                with open(path, "rb") as handle:
                    digest = hashlib.sha256(handle.read()).hexdigest()
            found[os.path.relpath(path, root)] = digest
    return found


@pytest.fixture(scope="module")
def trained_model(tmp_path_factory):
    """A small trained course model, to restore."""
    from tfcourse import config as config_lib
    from tfcourse.training import trainer
    root = tmp_path_factory.mktemp("trained")
    trainer.train(config_lib.resolve(None, {"max_step": 5, "model_dir": str(root / "model"),
                                            "summary_dir": str(root / "summary")}),
                  out=lambda line: None)
    return str(root / "model")


@pytest.fixture
def corpus(tmp_path, monkeypatch, trained_model):
    """A private copy of the corpus as the current directory, plus what git cannot hold."""
    root = tmp_path / "corpus"
    shutil.copytree(CORPUS, str(root))
    (root / "really_empty").mkdir()
    (root / "damaged_state").mkdir()
    (root / "damaged_state" / "checkpoint").write_text("garbage {{{\n")
    shutil.copytree(trained_model, str(root / "model"))
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(str(root / "socket.yaml"))  # a path no one can open for reading, even as root
    monkeypatch.chdir(root)
    yield root
    listener.close()


@pytest.mark.parametrize("args, code, message", CASES, ids=[" ".join(c[0]) for c in CASES])
def test_bad_input(corpus, tfcourse, args, code, message):
    before = snapshot(str(corpus))
    outcome = tfcourse(*args)
    assert outcome.code == code, outcome
    assert re.search(message, outcome.err), outcome.err
    assert outcome.err.count("\n") == 1 and outcome.err.startswith("tfcourse")
    assert "Traceback" not in outcome.err
    assert snapshot(str(corpus)) == before


def test_valid_variants_train(corpus, tfcourse):
    outcome = tfcourse("train", "--config=csv_valid_variants.yaml", "--model_dir=m")
    assert outcome.code == 0, outcome.err
    # the held-out rows have label "1"; the training rows spell the class "1.0"
    assert outcome.out.splitlines()[:2] == [
        "columns: größe numeric, 温度 numeric",
        "positive class: label = '1.0' (probability is P(label = '1.0'))"]
    restored = tfcourse("restore", "--ckpt=m")
    assert "logistic regression: größe, 温度 -> label" in restored.out
    evaluated = tfcourse("evaluate", "--ckpt=m", "--input=valid_variants.csv")
    assert evaluated.code == 0, evaluated.err  # labels 1 and 1.0 are the one class


def test_valid_typed_file_trains_and_evaluates(corpus, tfcourse):
    # semicolons, CRLF, a categorical column with gaps, yes/no/Yes, dates, NA, M/B labels
    outcome = tfcourse("train", "--config=csv_valid_typed.yaml", "--model_dir=typed")
    assert outcome.code == 0, outcome.err
    assert outcome.out.splitlines()[:2] == [
        "columns: island categorical (3 categories, <missing>), smoker boolean, visit date, "
        "weight numeric (gaps: filled with the mean, plus weight_missing)",
        "positive class: label = 'M' (probability is P(label = 'M'))"]
    assert "(31 training rows, 8 features from 4 columns)" in outcome.out
    evaluated = tfcourse("evaluate", "--ckpt=typed", "--input=valid_typed.csv")
    assert evaluated.code == 0, evaluated.err
    assert "on valid_typed.csv (40 rows)" in evaluated.out


def test_no_traceback_from_a_real_process(corpus, tfcourse_process):
    outcome = tfcourse_process("train", "--config=python_tag.yaml")
    assert outcome.code == USAGE
    assert outcome.err.count("\n") == 1 and "Traceback" not in outcome.err
    assert "owned" not in outcome.out
    verbose = tfcourse_process("train", "--config=python_tag.yaml", "--verbose")
    assert "Traceback" in verbose.err


def test_verbose_in_any_spelling_shows_the_traceback(corpus, tfcourse_process):
    for spelling in ("--verbose", "--verbose=true", "-verbose"):
        outcome = tfcourse_process("restore", "--ckpt=nowhere", spelling)
        assert outcome.code == DATA and "Traceback" in outcome.err, spelling


@pytest.mark.parametrize("damage, message", [
    (("model.json", '"feature_names": [\n    "x"\n  ]', '"feature_names": "xy"'),
     r"model: not a tfcourse model directory \(ValueError: feature_names 'xy': expected a list"),
    (("config.yaml", "data:", "data: [1, 2]\nold_data:"),
     r"model: not a tfcourse model directory \(UsageError: model/config\.yaml: data = \[1, 2\]: "
     r"expected a mapping of data keys\)"),
])
def test_damaged_model_directory_files(corpus, tfcourse, damage, message):
    name, old, new = damage
    path = corpus / "model" / name
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    before = snapshot(str(corpus))
    for args in (["restore", "--ckpt=model"], ["train", "--model_dir=model", "--max_step=9"]):
        outcome = tfcourse(*args)
        assert outcome.code == DATA, outcome
        assert re.search(message, outcome.err), outcome.err
    assert snapshot(str(corpus)) == before


def test_checkpoint_file_paths_are_accepted_as_the_prefix(corpus, tfcourse):
    for suffix in (".index", ".meta", ".data-00000-of-00001", ""):
        outcome = tfcourse("restore", "--ckpt=model/model.ckpt-5" + suffix)
        assert outcome.code == 0 and "global_step 5" in outcome.out, suffix
