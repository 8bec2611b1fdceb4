"""tfcourse.fold: the model in raw units, checked against the encoded, standardised model
it comes from."""

import numpy as np
import pytest

from tfcourse import fold
from tfcourse.data.types import Column, encoded_names
from tfcourse.model_dir import make_spec

COLUMNS = (
    Column("age", "numeric", 50.0, True, (), (), (), False, False),
    Column("island", "categorical", None, False, ("Biscoe", "Dream"), (), (), True, True),
    Column("smoker", "boolean", 0.25, True, (), ("yes",), ("no",), False, False),
    Column("year", "numeric", 2008.0, False, (), (), (), False, False),
)


def encode(row):
    """The encoded features of one row of raw cells, as tfcourse.features computes them."""
    age, island, smoker, year = row
    vocabulary = COLUMNS[1].vocabulary
    known = island in vocabulary
    missing_island = island in ("", "NA")
    return [50.0 if age is None else age, float(age is None),
            float(island == "Biscoe"), float(island == "Dream"), float(missing_island),
            float(not known and not missing_island),
            {"yes": 1.0, "no": 0.0}.get(smoker, 0.25), float(smoker not in ("yes", "no")),
            2008.0 if year is None else year]


def term_value(term, row):
    age, island, smoker, year = row
    cell = dict(zip(["age", "island", "smoker", "year"], row))[term.column]
    if term.kind == "number":
        return 0.0 if cell is None else cell
    if term.kind == "category":
        return float(cell == term.value)
    if term.kind == "true":
        return float(cell == "yes")
    if term.kind == "other":
        return float(cell not in ("Biscoe", "Dream", "", "NA"))
    if term.column == "island":
        return float(cell in ("", "NA"))
    if term.column == "smoker":
        return float(cell not in ("yes", "no"))
    return float(cell is None)


@pytest.mark.parametrize("k", [1, 3])
def test_terms_in_raw_units_give_the_standardised_models_outputs(k):
    names = encoded_names(COLUMNS)
    assert len(names) == 9
    rng = np.random.RandomState(0)
    weights = rng.normal(size=(9, k)).astype(np.float32)
    bias = rng.normal(size=k).astype(np.float32)
    mean = rng.normal(size=9).astype(np.float32)
    std = rng.uniform(0.5, 2.0, size=9).astype(np.float32)
    spec = make_spec("softmax" if k > 1 else "linear", COLUMNS, "y", True,
                     ("a", "b", "c") if k > 1 else None)
    folded = fold.fold(spec, weights, bias, mean, std, ("NA",))
    assert [t.kind for t in folded.terms] == ["number", "missing", "category", "category",
                                              "missing", "other", "true", "missing", "number",
                                              "missing"]
    np.testing.assert_allclose(folded.raw_weights, weights / std[:, None], rtol=1e-6)
    rows = [(61.0, "Dream", "yes", 2009.0), (None, "NA", "maybe", None),
            (20.0, "Atlantis", "no", 2007.0), (33.5, "", None, 2010.0)]
    for row in rows:
        z = np.asarray(encode(row), np.float64)
        expected = ((z - mean) / std).dot(weights.astype(np.float64)) + bias
        got = folded.intercept + sum(term.coefficient * term_value(term, row)
                                     for term in folded.terms)
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)


def test_without_standardisation_the_weights_are_the_raw_ones():
    spec = make_spec("linear", COLUMNS[:1], "y", False, None)
    folded = fold.fold(spec, np.array([[2.0], [3.0]], np.float32), np.array([1.0], np.float32))
    assert folded.intercept.tolist() == [1.0]
    assert [(t.kind, t.coefficient.tolist()) for t in folded.terms] == [
        ("number", [2.0]), ("missing", [3.0 + 2.0 * 50.0])]
    with pytest.raises(ValueError, match="do not fit the 2 encoded features"):
        fold.fold(spec, np.ones((3, 1), np.float32), np.ones(1, np.float32))


def test_coefficient_lines_put_raw_units_beside_standardised():
    spec = make_spec("linear", COLUMNS[3:], "y", True, None)
    folded = fold.fold(spec, np.array([[4.0]], np.float32), np.array([10.0], np.float32),
                       np.array([2000.0], np.float32), np.array([2.0], np.float32))
    lines = fold.coefficient_lines(folded)
    assert lines[1].split() == ["year", "4", "2"]
    assert lines[2].split() == ["(intercept)", "10", "-3990"]  # 10 - 2000 * 4 / 2
    assert fold.missing_spellings(COLUMNS[1], ("NA", "Dream")) == ["", "NA"]
