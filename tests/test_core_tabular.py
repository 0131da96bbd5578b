"""core.tabular: a learner's own CSV file, read with every oddity named by column and row."""
from pathlib import Path

import numpy as np
import pytest

from core import tabular
from core.tabular import DataError, Problem, load_csv, parse_csv, split_dataset

CSV = Path(__file__).resolve().parent / "fixtures" / "csv"


def messages(table):
    return [p.message for p in table.problems]


# ------------------------------------------------------------------------------ dialects

def test_comma_file_with_header():
    t = load_csv(CSV / "comma.csv")
    assert t.delimiter == ","
    assert t.has_header
    assert t.columns == ["x", "y", "label"]
    assert t.rows == 4
    assert [t.kind(c) for c in t.columns] == ["numeric", "numeric", "categorical"]
    assert t.problems == []
    assert t.row_numbers == [2, 3, 4, 5]   # as a spreadsheet counts: header is row 1


def test_semicolon_with_decimal_comma():
    t = load_csv(CSV / "semicolon_decimal_comma.csv")
    assert t.delimiter == ";"
    assert t.decimal_comma
    assert t.columns == ["Länge", "Breite", "Art"]
    np.testing.assert_array_equal(t.numbers("Länge"), [3.5, 4.0, -0.5, 2.0])
    np.testing.assert_array_equal(t.numbers("Breite"), [1.25, 2.5, 1000.0, 0.5])
    assert t.kind("Art") == "categorical"


def test_comma_delimited_file_never_reads_decimal_comma():
    t = parse_csv('a,b\n"3,5",1\n"4,5",2\n')
    assert not t.decimal_comma
    assert t.kind("a") == "categorical"


def test_tab_delimited():
    t = load_csv(CSV / "tab.csv")
    assert t.delimiter == "\t"
    assert t.columns == ["height", "weight", "sex"]
    np.testing.assert_array_equal(t.numbers("weight"), [65.5, 80, 58.25])


def test_utf8_with_bom():
    t = load_csv(CSV / "utf8_bom.csv")
    assert t.encoding == "utf-8-sig"
    assert t.columns == ["température", "ventes"]   # no BOM glued to the first name


def test_latin1_fallback():
    t = load_csv(CSV / "latin1.csv")
    assert t.encoding == "windows-1252"   # the superset of Latin-1 that Excel writes
    assert t.columns == ["ville", "température", "pluie"]
    assert t.values("ville") == ["Brest", "Nîmes", "Lille"]
    np.testing.assert_array_equal(t.numbers("température"), [12.5, 18.0, 9.5])


def test_windows_1252_euro_sign_and_latin1_last_resort():
    t = parse_csv("prix;devise\n3,5;\u20ac\n4;\u20ac\n".encode("cp1252"))
    assert t.encoding == "windows-1252" and t.values("devise") == ["\u20ac", "\u20ac"]
    t = parse_csv(b"a,b\n1,caf\xe9\x81\n2,x\n")   # 0x81 is undefined in Windows-1252
    assert t.encoding == "latin-1" and t.values("b")[0] == "caf\xe9\x81"


def test_delimiter_ties():
    assert parse_csv("3,5;2,5\n1,5;4,5\n").delimiter == ";"     # decimal commas: semicolon
    assert parse_csv("1,x,a;b\n2,y,c;d\n").delimiter == ","   # no decimal commas: more fields
    assert parse_csv("x,note\n1,a;b\n2,c;d\n").delimiter == ","
    t = parse_csv("x\n1\n2\n")
    assert t.columns == ["x"] and t.delimiter == ","


def test_line_endings_and_blank_rows():
    for text in ("a,b\r\n1,2\r\n3,4\r\n", "a,b\r1,2\r3,4\r", "a,b\n1,2\n\n,,\n3,4\n"):
        t = parse_csv(text)
        assert t.columns == ["a", "b"] and t.rows == 2, text
        np.testing.assert_array_equal(t.numbers("b"), [2, 4])


def test_utf16_with_bom():
    t = parse_csv("a,b\n1,2\n3,4\n".encode("utf-16"))
    assert t.encoding == "utf-16"
    assert t.columns == ["a", "b"]


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom(codec):
    t = parse_csv("a;b\n1,5;2\n3;4\n".encode(codec))
    assert t.encoding == codec and t.columns == ["a", "b"]
    np.testing.assert_array_equal(t.numbers("a"), [1.5, 3])


def test_no_header_gets_generated_names():
    t = load_csv(CSV / "no_header.csv")
    assert not t.has_header
    assert t.columns == ["column 1", "column 2", "column 3"]
    assert t.rows == 4
    assert t.row_numbers == [1, 2, 3, 4]
    np.testing.assert_array_equal(t.numbers("column 1"), [1.5, 2.5, 3.5, 4.5])


def test_header_can_be_forced():
    t = parse_csv("a,b\nc,d\n", header=False)
    assert t.columns == ["column 1", "column 2"] and t.rows == 2
    assert parse_csv("1,2\n3,4\n", header=True).columns == ["1", "2"]


def test_all_text_file_header_detection():
    assert parse_csv("name,colour\nann,red\nbob,blue\n").columns == ["name", "colour"]
    # A first row whose values repeat below is data, not a header.
    assert parse_csv("red,x\nblue,y\nred,z\n").columns == ["column 1", "column 2"]


def test_quoted_fields_with_delimiters_quotes_and_newlines():
    t = load_csv(CSV / "quoted.csv")
    assert t.columns == ["name", "comment", "score"]
    assert t.values("name") == ["Smith, Anna", "Lee", "O'Brien"]
    assert t.values("comment") == ['said "hi"', "two\nlines", ""]
    np.testing.assert_array_equal(t.numbers("score"), [3.5, 4, 5])


def test_blank_and_duplicate_header_names():
    t = parse_csv("a,,a\n1,2,3\n4,5,6\n")
    assert t.columns == ["a", "column 2", "a (2)"]
    assert any("column 2 has no name" in m for m in messages(t))
    assert any("names column 'a' twice" in m for m in messages(t))


# ------------------------------------------------------------------------ refused files

@pytest.mark.parametrize("name", ["empty.csv", "blank.csv"])
def test_empty_file(name):
    with pytest.raises(DataError, match="the file is empty"):
        load_csv(CSV / name)


def test_header_without_data():
    with pytest.raises(DataError, match="header but no rows"):
        load_csv(CSV / "header_only.csv")


def test_binary_file_renamed_csv():
    with pytest.raises(DataError, match="not a text file"):
        load_csv(CSV / "binary.csv")


def test_binary_without_nul_bytes_is_caught_by_control_characters():
    junk = bytes(range(1, 9)) * 50 + b"\xff\xfe\x80" * 50
    with pytest.raises(DataError, match="not a text file"):
        parse_csv(junk)


def test_missing_file():
    with pytest.raises(DataError, match="can't open 'nope.csv'"):
        load_csv(CSV / "nope.csv")


def test_file_too_large(monkeypatch):
    monkeypatch.setattr(tabular, "MAX_BYTES", 10)
    with pytest.raises(DataError, match="too large.*limit is 0 MB"):
        load_csv(CSV / "comma.csv")


def test_limit_named_in_large_message(monkeypatch, tmp_path):
    monkeypatch.setattr(tabular, "MAX_BYTES", 2 * 2**20)
    big = tmp_path / "big.csv"
    big.write_bytes(b"a\n" + b"1\n" * (2**20 + 10))
    with pytest.raises(DataError, match="limit is 2 MB"):
        load_csv(big)


def test_too_many_rows(monkeypatch):
    monkeypatch.setattr(tabular, "MAX_ROWS", 3)
    with pytest.raises(DataError, match="more than 3 rows; the limit is 3"):
        load_csv(CSV / "comma.csv")
    monkeypatch.setattr(tabular, "MAX_ROWS", 4)
    assert load_csv(CSV / "comma.csv").rows == 4


def test_too_many_columns(monkeypatch):
    monkeypatch.setattr(tabular, "MAX_COLUMNS", 2)
    with pytest.raises(DataError, match="3 columns; the limit is 2"):
        load_csv(CSV / "comma.csv")


def test_data_error_is_a_value_error():
    assert issubclass(DataError, ValueError)


# ------------------------------------------------------------------------ problems noted

def test_ragged_rows_padded_or_skipped():
    t = load_csv(CSV / "ragged.csv")
    assert t.columns == ["a", "b", "c"]
    assert t.row_numbers == [2, 3, 5]   # row 4 (too many fields) skipped
    assert Problem(None, 4, "row 4 has 4 fields but the table has 3 columns, so the row is skipped") \
        in t.problems
    short = next(p for p in t.problems if p.row == 3)
    assert short.column == "c"
    assert "row 3 has 2 fields" in short.message and "'c' counted as missing" in short.message
    assert t.values("c") == ["3", "", "13"]
    d = t.to_dataset(["a", "c"], "b")
    assert d.dropped == 1 and d.drop_reasons == ["row 3: column 'c' is missing ('')"]


def test_text_column_noted_and_refused_as_feature_but_fine_as_target():
    t = load_csv(CSV / "text_column.csv")
    assert t.kind("city") == "categorical"
    with pytest.raises(DataError) as err:
        t.to_dataset(["city", "temperature"], "sales")
    assert "'city' holds text" in str(err.value)
    assert "'Paris' in row 2" in str(err.value)
    d = t.to_dataset(["temperature", "sales"], "city")
    assert d.task == "multiclass"
    assert d.classes == {"Lyon": 0, "Nice": 1, "Paris": 2}


def test_typo_in_numeric_column_is_a_problem_with_row():
    t = parse_csv("a,b\n1,2\n2,3\n3x,4\n4,5\n")
    assert t.kind("a") == "categorical"
    p = next(p for p in t.problems if p.column == "a" and p.row == 4)
    assert "'3x' is not a number" in p.message


def test_missing_values_dropped_with_reasons():
    t = load_csv(CSV / "missing.csv")
    assert t.kind("a") == "numeric" and t.kind("b") == "numeric"
    assert any(p.column == "a" and p.row == 3 and "1 missing value" in p.message for p in t.problems)
    assert any(p.column == "b" and p.row == 4 and "3 missing values" in p.message for p in t.problems)
    d = t.to_dataset(["a", "b"], "label", standardize=False)
    assert d.dropped == 5
    assert d.drop_reasons == [
        "row 7: the target 'label' is missing",
        "row 3: column 'a' is missing ('NA')",
        "row 4: column 'b' is missing ('')",
        "row 5: column 'b' is missing ('?')",
        "row 6: column 'b' is missing ('nan')",
    ]
    np.testing.assert_array_equal(d.X, [[1, 10], [7, 70]])
    np.testing.assert_array_equal(d.rows, [2, 8])
    assert d.task == "binary"
    np.testing.assert_array_equal(d.y, [[0], [1]])


def test_missing_values_filled_with_column_mean():
    t = load_csv(CSV / "missing.csv")
    d = t.to_dataset(["a", "b"], "label", missing="fill", standardize=False)
    # The row without a target is still dropped; the others are filled from the kept rows.
    assert d.dropped == 1 and d.drop_reasons == ["row 7: the target 'label' is missing"]
    assert d.filled == 4
    a_mean = np.mean([1, 3, 4, 5, 7])
    b_mean = np.mean([10, 20, 70])
    np.testing.assert_allclose(d.X, [[1, 10], [a_mean, 20], [3, b_mean], [4, b_mean], [5, b_mean],
                                     [7, 70]])
    assert not np.isnan(d.X).any()


def test_constant_column_noted_refused_and_never_divided_by_zero():
    t = load_csv(CSV / "constant.csv")
    assert any(p.column == "same" and "same value (3) in every row" in p.message for p in t.problems)
    with pytest.raises(DataError, match="'same' has the same value"):
        t.to_dataset(["a", "same"], "label")
    # A feature that becomes constant only once rows are dropped: std 1, no NaN.
    t2 = parse_csv("a,b,t\n1,5,0\n1,6,1\n2,NA,0\n")
    d = t2.to_dataset(["a", "b"], "t")
    assert d.stds[0] == 1.0
    assert np.isfinite(d.X).all()
    np.testing.assert_array_equal(d.X[:, 0], [0, 0])


def test_infinities_are_problems_and_drop_their_rows():
    t = load_csv(CSV / "infinities.csv")
    assert any(p.column == "a" and p.row == 3 and "infinite" in p.message for p in t.problems)
    assert any(p.column == "b" and p.row == 4 and "infinite" in p.message for p in t.problems)
    assert any(p.column == "t" and p.row == 5 and "infinite" in p.message for p in t.problems)
    for missing in ("drop", "fill"):
        d = t.to_dataset(["a", "b"], "t", missing=missing, standardize=False)
        assert d.task == "regression"
        assert d.dropped == 3
        assert d.drop_reasons == ["row 5: the target 't' is infinite (1e999)",
                                  "row 3: column 'a' is infinite (inf)",
                                  "row 4: column 'b' is infinite (-Infinity)"]
        np.testing.assert_array_equal(d.X, [[1, 2], [4, 5]])
        np.testing.assert_array_equal(d.y, [[0.5], [3.5]])


def test_empty_column():
    t = parse_csv("a,b,c\n1,,x\n2,NA,y\n")
    assert t.kind("b") == "empty"
    assert any(p.column == "b" and "empty" in p.message for p in t.problems)
    with pytest.raises(DataError, match="'b' is empty"):
        t.to_dataset(["a", "b"], "c")
    with pytest.raises(DataError, match="'b' is empty"):
        t.to_dataset(["a"], "b")


# ------------------------------------------------------------------------------- requests

def test_bad_requests_are_explained():
    t = load_csv(CSV / "comma.csv")
    with pytest.raises(DataError, match="no column 'z'; the columns are 'x', 'y', 'label'"):
        t.to_dataset(["z"], "label")
    with pytest.raises(DataError, match="both a feature and the target"):
        t.to_dataset(["x", "y"], "y")
    with pytest.raises(DataError, match="at least one feature"):
        t.to_dataset([], "label")
    with pytest.raises(DataError, match="chosen twice"):
        t.to_dataset(["x", "x"], "label")
    with pytest.raises(DataError, match="missing must be"):
        t.to_dataset(["x"], "label", missing="mean")
    with pytest.raises(DataError, match="can't be a regression target"):
        t.to_dataset(["x"], "label", task="regression")


def test_single_class_target_refused():
    t = parse_csv("a,b\n1,x\n2,x\n3,NA\n")
    with pytest.raises(DataError, match="only one class"):
        t.to_dataset(["a"], "b")


def test_no_rows_left():
    t = parse_csv("a,b\nNA,1\n2,NA\n3,NA\n")
    with pytest.raises(DataError, match="no rows are left.*for example row 3: the target 'b' is missing"):
        t.to_dataset(["a"], "b")


def test_numeric_target_as_classes():
    t = load_csv(CSV / "constant.csv")
    d = t.to_dataset(["a"], "label", task="classification", standardize=False)
    assert d.task == "binary" and d.classes == {"0": 0, "1": 1}
    np.testing.assert_array_equal(d.y, [[0], [1], [0], [1]])
    d = t.to_dataset(["label"], "a", task="classification")
    assert d.classes == {"1": 0, "2": 1, "3": 2, "4": 3}   # numeric order, not text order
    assert d.y.shape == (4, 4)


def test_class_order_is_numeric_when_labels_are_numbers():
    t = parse_csv("x,c\n1,10\n2,9\n3,10.0\n4,2\n")
    d = t.to_dataset(["x"], "c", task="classification")
    assert list(d.classes) == ["2", "9", "10"]   # "10" and "10.0" are one class
    t = parse_csv("x,c\n1,1234567\n2,1234568\n3,0.5\n")
    assert list(t.to_dataset(["x"], "c", task="classification").classes) == ["0.5", "1234567", "1234568"]


def test_realistic_file_to_one_hot_dataset():
    t = load_csv(CSV / "realistic.csv")
    assert t.rows == 15
    assert t.kind("species") == "categorical" and t.kind("island") == "categorical"
    assert t.kind("sex") == "categorical" and t.kind("body_mass_g") == "numeric"
    assert any(p.column == "year" and "same value (2007)" in p.message for p in t.problems)
    features = ["bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g"]
    d = t.to_dataset(features, "species")
    assert d.task == "multiclass"
    assert d.classes == {"Adelie": 0, "Chinstrap": 1, "Gentoo": 2}
    assert d.dropped == 2
    assert d.drop_reasons == ["row 5: column 'bill_length_mm' is missing ('NA')",
                              "row 11: column 'flipper_length_mm' is missing ('')"]
    assert d.X.shape == (13, 4) and d.X.dtype == np.float64
    assert d.y.shape == (13, 3)
    np.testing.assert_array_equal(d.y.sum(axis=1), np.ones(13))
    np.testing.assert_array_equal(d.y.argmax(axis=1), [0] * 4 + [2] * 4 + [1] * 5)
    np.testing.assert_allclose(d.X.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(d.X.std(axis=0), 1, atol=1e-12)
    # means/stds undo the scaling
    raw = np.column_stack([t.numbers(f) for f in features])[np.isin(t.row_numbers, d.rows)]
    np.testing.assert_allclose(d.X * d.stds + d.means, raw)
    np.testing.assert_allclose(d.transform(raw), d.X)
    with pytest.raises(DataError, match="'island' holds text"):
        t.to_dataset(features + ["island"], "species")
    filled = t.to_dataset(features, "species", missing="fill")
    assert filled.dropped == 0 and filled.filled == 5 and filled.X.shape == (15, 4)
    np.testing.assert_allclose(filled.X.mean(axis=0), 0, atol=1e-12)


def test_binary_text_target():
    t = load_csv(CSV / "realistic.csv")
    d = t.to_dataset(["body_mass_g"], "sex")
    assert d.task == "binary" and d.classes == {"female": 0, "male": 1}
    assert d.y.shape == (d.X.shape[0], 1)
    assert set(np.unique(d.y)) == {0.0, 1.0}


def test_regression_target_shape_and_unstandardized():
    t = load_csv(CSV / "text_column.csv")
    d = t.to_dataset(["temperature"], "sales", standardize=False)
    assert d.task == "regression" and d.classes == {}
    np.testing.assert_array_equal(d.y, [[100], [140], [210], [120]])
    np.testing.assert_array_equal(d.X, [[12.5], [18], [25], [14]])
    np.testing.assert_array_equal(d.means, [0]) and np.testing.assert_array_equal(d.stds, [1])


# -------------------------------------------------------------------------------- splitting

def test_split_is_deterministic_disjoint_and_complete():
    X = np.arange(20).reshape(10, 2)
    train, test = split_dataset(X, None, 0.3, seed=5)
    assert len(test) == 3 and len(train) == 7
    assert sorted(np.concatenate([train, test]).tolist()) == list(range(10))
    again = split_dataset(X, None, 0.3, seed=5)
    np.testing.assert_array_equal(again[0], train)
    np.testing.assert_array_equal(again[1], test)
    other = [tuple(split_dataset(X, None, 0.3, seed=s)[1]) for s in range(6)]
    assert len(set(other)) > 1


def test_split_keeps_one_on_each_side():
    X = np.zeros((3, 1))
    train, test = split_dataset(X, np.zeros((3, 1)), 0.01, seed=0)
    assert len(test) == 1 and len(train) == 2
    train, test = split_dataset(X, None, 0.99, seed=0)
    assert len(test) == 2 and len(train) == 1


def test_split_refusals():
    with pytest.raises(DataError, match="at least 2 samples"):
        split_dataset(np.zeros((1, 1)), None, 0.5, 0)
    with pytest.raises(DataError, match="between 0 and 1"):
        split_dataset(np.zeros((5, 1)), None, 1.0, 0)
    with pytest.raises(DataError, match="5 rows but y has 4"):
        split_dataset(np.zeros((5, 1)), np.zeros(4), 0.2, 0)


# ------------------------------------------------------------------- shapes and summaries

def test_zero_one_target_is_binary_unless_asked():
    t = load_csv(CSV / "constant.csv")
    d = t.to_dataset(["a"], "label")
    assert d.task == "binary" and d.classes == {"0": 0, "1": 1}
    assert t.to_dataset(["a"], "label", task="regression").task == "regression"
    assert parse_csv("a,t\n1,0\n2,2\n3,1\n").to_dataset(["a"], "t").task == "regression"


def test_thousands_separators_in_decimal_comma_files():
    t = parse_csv("a;b\n1.234,5;1 234\n2.000.000;12,0\n")
    np.testing.assert_array_equal(t.numbers("a"), [1234.5, 2_000_000])
    np.testing.assert_array_equal(t.numbers("b"), [1234, 12])
    assert parse_csv('a,b\n"1 234",1\n2,3\n').kind("a") == "categorical"   # comma files: no


def test_trailing_delimiters_add_no_column():
    for text in ("a,b,\n1,2\n3,4\n", "a,b,\n1,2,\n3,4,\n", "a,b\n1,2,\n3,4,\n"):
        t = parse_csv(text)
        assert t.columns == ["a", "b"] and t.rows == 2 and t.problems == [], text


def test_row_names_column_without_header_name():
    t = parse_csv('"x","y"\n"r1",1,2\n"r2",3,4\n')
    assert t.columns == ["row names", "x", "y"]
    assert t.values("row names") == ["r1", "r2"]
    assert any(p.column == "row names" and "one field more than the header" in p.message
               for p in t.problems)


def test_many_ragged_rows_are_summed_up(monkeypatch):
    monkeypatch.setattr(tabular, "MAX_ROW_PROBLEMS", 2)
    t = parse_csv("a,b\n" + "1\n" * 5 + "1,2\n")
    assert [p.row for p in t.problems if p.column in ("b", None)][:3] == [2, 3, 4]
    assert t.problems[2].message == "3 more rows (from row 4) have too few or too many fields"


def test_many_drop_reasons_are_summed_up(monkeypatch):
    monkeypatch.setattr(tabular, "MAX_REASONS", 2)
    d = parse_csv("a,b\n" + "NA,1\n" * 5 + "1,2\n3,4\n").to_dataset(["a"], "b")
    assert d.dropped == 5
    assert d.drop_reasons == ["row 2: column 'a' is missing ('NA')",
                              "row 3: column 'a' is missing ('NA')", "... and 3 more rows"]


def test_feature_and_target_problems_and_info():
    t = load_csv(CSV / "realistic.csv")
    assert t.feature_problem("bill_length_mm") is None
    assert "holds text" in t.feature_problem("species")
    assert "same value (2007)" in t.feature_problem("year")
    assert t.target_problem("species") is None
    assert "same value in every row" in t.target_problem("year")
    info = t.info("bill_length_mm")
    assert (info.kind, info.missing, info.minimum, info.maximum) == ("numeric", 1, 37.8, 52.7)
    assert info.examples == ("39.1", "39.5", "40.3")
    assert info.feature_problem is None and info.target_problem is None
    info = t.info("species")
    assert info.kind == "categorical" and info.distinct == 3 and info.minimum is None
    assert t.labels("species") == ["Adelie", "Chinstrap", "Gentoo"]


def test_unclosed_quote_swallowing_the_file():
    text = 'a,b\n1,2\n"3,4\n' + "5,6\n" * 40000
    with pytest.raises(DataError, match="row 3 .*quote"):
        parse_csv(text)


def test_many_typos_and_infinities_are_summed_up(monkeypatch):
    monkeypatch.setattr(tabular, "_MAX_PROBLEMS_PER_COLUMN", 2)
    t = parse_csv("a,b\n" + "1,inf\n" * 10 + "x,1\n" * 4 + "2,2\n")
    assert "2 more values (from row 14) are not numbers" in messages(t)[2]
    t = parse_csv("b\n" + "inf\n" * 5 + "1\n")
    assert any("3 more values (from row 4) are infinite" in m for m in messages(t))


def test_stratified_split_keeps_class_proportions():
    y = np.eye(3)[[0] * 10 + [1] * 20 + [2] * 5 + [0] * 5]
    train, test = split_dataset(y, y, 0.2, seed=3, stratify=True)
    assert sorted(np.concatenate([train, test]).tolist()) == list(range(40))
    assert np.bincount(y[test].argmax(axis=1)).tolist() == [3, 4, 1]
    again = split_dataset(y, y, 0.2, seed=3, stratify=True)
    np.testing.assert_array_equal(again[1], test)
    b = np.array([[0.0]] * 8 + [[1.0]] * 2)
    train, test = split_dataset(b, b, 0.25, seed=0, stratify=True)
    assert sorted(b[test, 0].tolist()) == [0.0, 0.0, 1.0]
    with pytest.raises(DataError, match="needs the targets"):
        split_dataset(b, None, 0.25, seed=0, stratify=True)
    singles = np.eye(3)
    train, test = split_dataset(singles, singles, 0.3, seed=0, stratify=True)
    assert len(train) == 2 and len(test) == 1


# ------------------------------------------------------------------------- round trip

from hypothesis import given, settings, strategies as st  # noqa: E402

_cell = st.floats(allow_nan=False, allow_infinity=False, width=64)


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 4).flatmap(lambda k: st.lists(st.lists(_cell, min_size=k, max_size=k),
                                                   min_size=2, max_size=8)),
       st.sampled_from([",", ";", "\t"]), st.booleans())
def test_written_numbers_read_back_exactly(rows, delimiter, decimal_comma):
    import csv
    import io
    decimal_comma = decimal_comma and delimiter != ","
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    names = [f"v{j}" for j in range(len(rows[0]))]
    writer.writerow(names)
    for row in rows:
        writer.writerow([repr(v).replace(".", ",") if decimal_comma else repr(v) for v in row])
    t = parse_csv(out.getvalue())
    assert t.columns == names and t.rows == len(rows)
    for j, name in enumerate(names):
        np.testing.assert_array_equal(t.numbers(name), [row[j] for row in rows])


def test_single_column_of_decimal_commas():
    t = parse_csv("x\n3,5\n4,25\n-1\n")
    assert t.columns == ["x"] and t.decimal_comma
    np.testing.assert_array_equal(t.numbers("x"), [3.5, 4.25, -1])
    assert parse_csv("1,5\n2,5\n").columns == ["column 1", "column 2"]   # regular: two columns


def test_the_dataset_remembers_whether_its_features_were_standardized():
    import core

    table = core.parse_csv("a,b,label\n1,10,x\n2,20,y\n3,35,x\n4,41,y\n")
    for standardize in (True, False):
        tab = table.to_dataset(features=["a", "b"], target="label", standardize=standardize)
        assert tab.standardized is standardize
        assert core.dataset_from_tabular(tab, "csv", "t.csv").standardized is standardize


def test_a_standardized_regression_target_is_scaled_like_the_features():
    table = parse_csv("mm,grams\n181,3750\n186,3800\n195,3250\n210,4450\n230,5700\n")
    tab = table.to_dataset(features=["mm"], target="grams")
    assert tab.task == "regression"
    assert abs(tab.y.mean()) < 1e-12 and abs(tab.y.std() - 1) < 1e-12
    grams = tab.y[:, 0] * tab.target_std + tab.target_mean
    assert np.allclose(grams, [3750, 3800, 3250, 4450, 5700])
    raw = table.to_dataset(features=["mm"], target="grams", standardize=False)
    assert np.allclose(raw.y[:, 0], [3750, 3800, 3250, 4450, 5700]) and raw.target_std == 1.0
