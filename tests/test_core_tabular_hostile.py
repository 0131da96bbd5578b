"""core.tabular against hostile and clumsy files: big files in bounded memory, ID-like targets,
over-long lines, NaN spellings, thousands of duplicate header names, pipes and devices; and a
seeded, time-bounded fuzz test that every file either loads or gives a DataError."""
import os
import time
import tracemalloc

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from core import tabular
from core.tabular import MAX_CLASSES, DataError, load_csv, parse_csv


def test_a_big_file_is_read_in_memory_that_does_not_grow_with_its_text(tmp_path):
    rows, columns = 60_000, 12
    path = tmp_path / "wide.csv"
    rng = np.random.default_rng(0)
    with open(path, "w") as f:
        f.write(",".join(f"c{j}" for j in range(columns)) + "\n")
        np.savetxt(f, rng.normal(size=(rows, columns)), fmt="%.6f", delimiter=",")
    size = path.stat().st_size
    tracemalloc.start()
    table = load_csv(path)
    tab = table.to_dataset(["c0", "c1"], "c2")
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert table.rows == rows and tab.X.shape == (rows, 2)
    # every cell kept as a str (about 50 bytes each) would take 36 MB, five times the file; the
    # chosen columns as floats, the row numbers and a chunk of text are what it may cost
    assert peak < 2 * size < rows * columns * 50 / 2, (peak, size)
    raw = np.loadtxt(path, delimiter=",", skiprows=1, usecols=(0, 1))
    np.testing.assert_allclose(tab.X * tab.stds + tab.means, raw, rtol=1e-12)


def test_an_id_like_target_is_refused_with_the_class_limit():
    text = "x,id\n" + "".join(f"{i},user{i}\n" for i in range(300))
    table = parse_csv(text)
    why = table.target_problem("id")
    assert why and f"at most {MAX_CLASSES} classes" in why and "300 different labels" in why
    with pytest.raises(DataError, match=f"at most {MAX_CLASSES} classes"):
        table.to_dataset(["x"], "id")
    numbers = parse_csv("x,n\n" + "".join(f"{i},{i * 7}\n" for i in range(100)))
    assert numbers.to_dataset(["x"], "n").task == "regression"   # many numbers: fine for regression
    with pytest.raises(DataError, match="100 different labels"):
        numbers.to_dataset(["x"], "n", task="classification")


def test_a_line_of_a_hundred_thousand_columns_is_a_data_error():
    line = ",".join("1" for _ in range(100_000))
    with pytest.raises(DataError, match="100,000 columns; the limit is 1,000"):
        parse_csv(line + "\n" + line + "\n")


def test_a_line_without_end_is_refused_before_it_is_kept_whole():
    with pytest.raises(DataError, match="longer than"):
        parse_csv("a" * (3 * 2**20))


@pytest.mark.parametrize("nan", ["-nan", "+nan", "NaN", "-NAN"])
def test_every_spelling_of_nan_is_missing(nan):
    table = parse_csv(f"x,y\n1,2\n2,{nan}\n3,5\n4,7\n")
    assert table.kind("y") == "numeric" and table.info("y").missing == 1
    tab = table.to_dataset(["x"], "y")
    assert tab.dropped == 1 and "the target 'y' is missing" in tab.drop_reasons[0]
    assert np.isfinite(tab.y).all()


def test_thousands_of_duplicate_header_names_are_refused_at_once(monkeypatch):
    header = ",".join(["a"] * 20_000)
    start = time.perf_counter()
    with pytest.raises(DataError, match="20,000 columns; the limit is 1,000"):
        parse_csv(header + "\n" + ",".join(["1"] * 20_000) + "\n")
    assert time.perf_counter() - start < 5
    # within the limit, naming stays linear: 1,000 repeats take no time either
    start = time.perf_counter()
    table = parse_csv(",".join(["a"] * 1000) + "\n" + ",".join(["1"] * 1000) + "\n")
    assert table.columns[:3] == ["a", "a (2)", "a (3)"] and len(set(table.columns)) == 1000
    assert time.perf_counter() - start < 5


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes")
def test_a_named_pipe_is_refused_by_what_it_is_without_blocking(tmp_path):
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    start = time.perf_counter()
    with pytest.raises(DataError, match="named pipe"):
        load_csv(fifo)
    assert time.perf_counter() - start < 2


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_a_link_to_dev_zero_is_refused_as_a_device(tmp_path):
    link = tmp_path / "zero.csv"
    link.symlink_to("/dev/zero")
    with pytest.raises(DataError, match="link to /dev/zero, which is a character device"):
        load_csv(link)
    with pytest.raises(DataError, match="is a folder"):
        load_csv(tmp_path)


def test_a_file_changed_after_loading_is_refused_when_read_again(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("a,b\n1,2\n3,4\n5,7\n")
    table = load_csv(path)
    path.write_text("a,b\n1,2\n3,4\n5,7\n9,9\n")
    with pytest.raises(DataError, match="changed"):
        table.to_dataset(["a"], "b")


# --------------------------------------------------------------------------------- fuzzing

_cells = st.one_of(st.sampled_from(["", "1", "-2.5", "nan", "-nan", "inf", "NA", "?", "x", "3,5", "1e999",
                                    '"', '""', "a b", "\u00e9", "1.234,5", "\t"]),
                   st.text(max_size=6))


@settings(max_examples=150, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(rows=st.lists(st.lists(_cells, min_size=1, max_size=5), min_size=0, max_size=12),
       delimiter=st.sampled_from([",", ";", "\t"]), newline=st.sampled_from(["\n", "\r\n", "\r"]),
       encode=st.sampled_from(["utf-8", "utf-16", "cp1252", None]))
def test_fuzz_any_file_loads_or_says_why(rows, delimiter, newline, encode):
    """Seeded (derandomized) and bounded: each file is small, the whole test takes seconds."""
    text = newline.join(delimiter.join(row) for row in rows)
    data = text
    if encode:
        try:
            data = text.encode(encode)
        except UnicodeEncodeError:
            data = text.encode("utf-8")
    start = time.perf_counter()
    try:
        table = parse_csv(data)
    except DataError as exc:
        assert str(exc)
        return
    assert time.perf_counter() - start < 2
    assert table.rows >= 1 and len(table.columns) >= 1
    for name in table.columns:
        info = table.info(name)
        assert info.kind in ("numeric", "categorical", "empty")
        assert len(table.values(name)) == table.rows
    numeric = [c for c in table.columns if table.feature_problem(c) is None]
    targets = [c for c in table.columns if table.target_problem(c) is None]
    for feature in numeric[:1]:
        for target in [t for t in targets if t != feature][:2]:
            try:
                tab = table.to_dataset([feature], target)
            except DataError as exc:
                assert str(exc)
                continue
            assert np.isfinite(tab.X).all() and np.isfinite(tab.y).all()
            assert len(tab) + tab.dropped == table.rows
