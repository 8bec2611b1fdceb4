"""The data part of the script ``tfcourse eject`` writes for a model of a CSV file
(``string.Template`` text, as ``eject_template``): the file read with the ``csv`` module,
imputation, one-hot categories and labels, learned from the training rows."""

CSV = '''

# ---- original data: the CSV file, and what tfcourse read in its columns (their types and
# the label's classes); what the training rows teach (fills, categories, statistics) is
# computed below from the training rows.
DATA_PATH = $data_path
DELIMITER = $delimiter
LABEL = $label
COLUMNS = $columns  # (name, kind) of each feature column
NA_VALUES = $na_values  # cells read as missing, besides an empty one
CLASSES = $classes  # the label's classes in index order (None: a number)
BOOLEANS = $booleans  # boolean column -> (true spellings, false spellings)
VALIDATION_FRACTION = $validation_fraction
MAX_CATEGORIES = $max_categories  # categories kept per column; the rest share <other>
DROP_MISSING = $drop_missing  # data.missing: drop leaves rows with a missing feature out
STANDARDIZE = $standardize
DATE = re.compile($date_pattern)


def read_csv(path):
    """The header and the data rows of a CSV file (lists of str; blank lines skipped)."""
    with open(path, newline="", encoding="utf-8-sig") as handle:
        rows = [row for row in csv.reader(handle, delimiter=DELIMITER) if row]
    return rows[0], rows[1:]


def is_missing(cell):
    return cell == "" or cell in NA_VALUES


def days(cell):
    """Days since 1970-01-01 of a date cell (time of day as a fraction), None if not a date."""
    if not DATE.fullmatch(cell):
        return None
    digits = (re.sub("[^0-9]", "", cell) + "000000")[:14]
    try:
        moment = datetime.datetime.strptime(digits, "%Y%m%d%H%M%S")
    except ValueError:  # the 30th of February
        return None
    return (moment - datetime.datetime(1970, 1, 1)).total_seconds() / 86400.0


def value_of(name, kind, cell):
    """A feature cell as the model reads it: a float (a category: its text), None if missing."""
    if kind == "categorical":
        return None if is_missing(cell) else cell
    if kind == "boolean":
        true, false = BOOLEANS[name]
        return 1.0 if cell in true else 0.0 if cell in false else None
    if kind == "date":
        return days(cell)
    return None if is_missing(cell) else float(cell)


def learn(values, kind):
    """What a column's training rows teach: imputation (the mean of its values, and a
    <name>_missing indicator when they have gaps) or one-hot categories, most frequent first."""
    present = [value for value in values if value is not None]
    gaps = len(present) < len(values)
    if kind != "categorical":
        return {"fill": float(np.mean(present)), "indicator": gaps}
    ranked = sorted(collections.Counter(present).items(), key=lambda item: (-item[1], item[0]))
    return {"vocabulary": [value for value, _ in ranked[:MAX_CATEGORIES]],
            "missing": gaps, "other": len(ranked) > MAX_CATEGORIES}


def encode(values, kind, taught):
    """A column's values as features ``[rows, k]`` float64: the value (a gap filled with the
    mean) and its indicator, or one-hot: the categories, then <missing> and <other>."""
    if kind != "categorical":
        features = [[taught["fill"] if value is None else value] for value in values]
        if taught["indicator"]:
            features = [row + [float(value is None)] for row, value in zip(features, values)]
        return np.array(features, np.float64)
    vocabulary = taught["vocabulary"]
    n_slots = len(vocabulary) + taught["missing"] + taught["other"]
    one_hot = np.zeros((len(values), n_slots))
    for i, value in enumerate(values):
        if value is None:
            slot = len(vocabulary) if taught["missing"] else None
        elif value in vocabulary:
            slot = vocabulary.index(value)
        else:
            slot = n_slots - 1 if taught["other"] else None
        if slot is not None:
            one_hot[i, slot] = 1.0
    return one_hot


def prepare_data(seed):
    """Training and validation rows, encoded, and the training rows' mean and std."""
    header, rows = read_csv(DATA_PATH)
    labels = [row[header.index(LABEL)] for row in rows]
    columns = [[value_of(name, kind, row[header.index(name)]) for row in rows]
               for name, kind in COLUMNS]
    keep = np.array([not is_missing(label) for label in labels])  # rows with a label
    if DROP_MISSING:
        keep &= np.array([all(column[i] is not None for column in columns)
                          for i in range(len(rows))], bool)
    held = is_validation(np.arange(len(rows)), VALIDATION_FRACTION, seed)
    train, valid = keep & ~held, keep & held
    x = np.hstack([encode(values, kind, learn([v for v, t in zip(values, train) if t], kind))
                   for values, (_, kind) in zip(columns, COLUMNS)])
    y = np.array([[float(label) if CLASSES is None else CLASSES.index(label)]
                  if k else [0.0] for label, k in zip(labels, keep)], np.float32)
    mean, std = standardization(x[train])
    return (x[train].astype(np.float32), y[train], x[valid].astype(np.float32), y[valid],
            mean, std)
'''
