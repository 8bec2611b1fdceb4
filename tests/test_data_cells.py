"""tfcourse.data.cells: pandas on a block's rows, and the first bad cell when it refuses them."""

import numpy as np

from tfcourse.data import cells, csv_reader


def test_text_fallback_finds_the_first_bad_cell_of_a_block():
    # Used when pandas refuses rows outright: they are read again as text, column by column.
    import pandas as pd
    header = csv_reader.Header("f.csv", ("a", "b", "y"), 1)
    text = b"1,2,3\n4, x ,6\n,7,1e39\n"
    lines = np.array([2, 3, 5])
    for columns, expected in (([2, 0, 1], "f.csv:3:2 (column 'b'): 'x' is not a number"),
                              ([2, 0], "f.csv:5:1 (column 'a'): missing value")):
        texts = cells.Parse(pd, columns, text=text)(dtype=object, na_filter=False)
        error = cells.first_bad_cell(pd, "f.csv", header, columns, texts, lines)
        assert str(error) == expected
