"""Tests of solutions.data and of the shipped names file data/dinos.txt."""

import math
import re
from pathlib import Path

import numpy as np
import pytest

from solutions.data import (
    DINOS_PATH,
    VOCAB,
    NamesFileError,
    build_vocab,
    decode,
    encode_name,
    load_names,
    split_names,
)

ROOT = Path(__file__).resolve().parents[1]
DINOS = ROOT / "data" / "dinos.txt"


def write(tmp_path, content, name="names.txt"):
    """A file in tmp_path with the given content (str is written as UTF-8, bytes as they are)."""
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_bytes(content.encode("utf-8"))
    return path


# ----------------------------------------------------------------------------------------------
# The shipped file
# ----------------------------------------------------------------------------------------------


def shipped_lines():
    raw = DINOS.read_bytes()
    assert raw.endswith(b"\n"), "data/dinos.txt must end with a newline"
    assert b"\r" not in raw, "data/dinos.txt must use \\n line endings"
    return raw.decode("ascii").split("\n")[:-1]


def test_shipped_file_is_where_the_module_says():
    assert DINOS_PATH == DINOS
    assert DINOS.is_file()


def test_shipped_file_meets_the_format():
    lines = shipped_lines()
    assert all(line for line in lines), "data/dinos.txt has a blank line"
    bad = [line for line in lines if not re.fullmatch(r"[a-z]+", line)]
    assert not bad, f"names with characters outside a-z: {bad[:10]}"
    assert lines == sorted(lines), "data/dinos.txt is not sorted"
    duplicates = sorted({line for line in lines if lines.count(line) > 1})
    assert not duplicates, f"duplicate names: {duplicates[:10]}"
    assert len(set(lines)) >= 1000, f"only {len(set(lines))} distinct names"


def test_shipped_file_loads_unchanged():
    assert load_names(DINOS) == shipped_lines()


def test_shipped_file_has_famous_dinosaurs_and_no_famous_non_dinosaurs():
    names = set(shipped_lines())
    for genus in [
        "tyrannosaurus",
        "triceratops",
        "velociraptor",
        "stegosaurus",
        "brachiosaurus",
        "iguanodon",
        "ankylosaurus",
        "pachycephalosaurus",
        "spinosaurus",
        "diplodocus",
    ]:
        assert genus in names, genus
    # Pterosaurs, marine reptiles, synapsids, crocodile relatives, a bird, dinosauromorphs.
    for other in [
        "pteranodon",
        "quetzalcoatlus",
        "pterodactylus",
        "plesiosaurus",
        "elasmosaurus",
        "mosasaurus",
        "ichthyosaurus",
        "dimetrodon",
        "postosuchus",
        "archaeopteryx",
        "lagerpeton",
        "silesaurus",
        "marasuchus",
    ]:
        assert other not in names, other


# ----------------------------------------------------------------------------------------------
# Vocabulary
# ----------------------------------------------------------------------------------------------


def test_vocab_layout():
    char_to_ix, ix_to_char = build_vocab()
    assert type(char_to_ix) is dict and type(ix_to_char) is dict
    assert VOCAB == "\nabcdefghijklmnopqrstuvwxyz"
    assert len(char_to_ix) == len(ix_to_char) == 27
    assert char_to_ix["\n"] == 0
    assert char_to_ix["a"] == 1 and char_to_ix["z"] == 26
    assert [ix_to_char[i] for i in range(27)] == list(VOCAB)
    assert all(ix_to_char[ix] == ch for ch, ix in char_to_ix.items())


def test_vocab_is_a_fresh_copy_each_call():
    char_to_ix, ix_to_char = build_vocab()
    char_to_ix["?"] = 99
    del ix_to_char[0]
    again_c, again_i = build_vocab()
    assert "?" not in again_c and again_i[0] == "\n"


# ----------------------------------------------------------------------------------------------
# load_names: what it accepts
# ----------------------------------------------------------------------------------------------


def test_load_strips_lowercases_and_skips_blank_lines(tmp_path):
    path = write(tmp_path, "  Aardonyx \r\n\r\nBRONTOSAURUS\n\t\ncoelophysis")
    assert load_names(path) == ["aardonyx", "brontosaurus", "coelophysis"]


def test_load_accepts_str_path_and_a_byte_order_mark(tmp_path):
    path = write(tmp_path, b"\xef\xbb\xbfrex\nzuul\n")
    assert load_names(str(path)) == ["rex", "zuul"]


def test_load_keeps_duplicates_in_order(tmp_path):
    path = write(tmp_path, "zuul\nabc\nzuul\n")
    assert load_names(path) == ["zuul", "abc", "zuul"]


# ----------------------------------------------------------------------------------------------
# load_names: errors, each with a message that says what is wrong and where
# ----------------------------------------------------------------------------------------------


def test_missing_file(tmp_path):
    path = tmp_path / "nope.txt"
    with pytest.raises(NamesFileError, match="does not exist") as info:
        load_names(path)
    assert "nope.txt" in str(info.value)
    assert info.value.path == str(path)
    assert isinstance(info.value, ValueError)


def test_directory(tmp_path):
    with pytest.raises(NamesFileError, match="is a directory") as info:
        load_names(tmp_path)
    assert str(tmp_path) in str(info.value)


def test_empty_file(tmp_path):
    path = write(tmp_path, "", name="empty.txt")
    with pytest.raises(NamesFileError, match="contains no names") as info:
        load_names(path)
    assert "empty.txt" in str(info.value)


def test_only_blank_lines(tmp_path):
    path = write(tmp_path, "\n   \n\t\r\n\n", name="blank.txt")
    with pytest.raises(NamesFileError, match="contains no names") as info:
        load_names(path)
    assert "blank.txt" in str(info.value)


def test_bad_character_gives_line_number_and_character(tmp_path):
    path = write(tmp_path, "abc\n\nt-rex\nzuul\n", name="bad.txt")
    with pytest.raises(NamesFileError) as info:
        load_names(path)
    message = str(info.value)
    assert "bad.txt" in message
    assert "line 3" in message
    assert "'-'" in message and "U+002D" in message
    assert "'t-rex'" in message
    assert "normalize=True" in message
    assert (info.value.line, info.value.char) == (3, "-")


@pytest.mark.parametrize(
    "name, char", [("Élasmosaurus", "É"), ("tyranno saurus", " "), ("t3rex", "3"), ("naïve", "ï")]
)
def test_bad_character_is_the_first_one(tmp_path, name, char):
    path = write(tmp_path, f"rex\n{name}\n")
    with pytest.raises(NamesFileError) as info:
        load_names(path)
    assert "line 2" in str(info.value)
    assert info.value.char == char
    assert repr(char) in str(info.value)


def test_invalid_utf8(tmp_path):
    path = write(tmp_path, b"rex\nzu\xffl\n", name="latin.txt")
    with pytest.raises(NamesFileError, match="not valid UTF-8") as info:
        load_names(path)
    message = str(info.value)
    assert "latin.txt" in message and "line 2" in message and "ff" in message
    assert info.value.line == 2


def test_invalid_utf8_is_an_error_even_when_normalizing(tmp_path):
    path = write(tmp_path, "Élasmosaurus\n".encode("latin-1"))
    with pytest.raises(NamesFileError, match="not valid UTF-8"):
        load_names(path, normalize=True)


# ----------------------------------------------------------------------------------------------
# load_names(normalize=True)
# ----------------------------------------------------------------------------------------------


def test_normalize_strips_accents_and_punctuation(tmp_path):
    path = write(tmp_path, "Élasmo-saurus\nNaïve\n  Ñandu 2 \nrex\n")
    assert load_names(path, normalize=True) == ["elasmosaurus", "naive", "nandu", "rex"]


def test_normalize_skips_names_that_become_empty(tmp_path):
    path = write(tmp_path, "---\nrex\n42\n")
    assert load_names(path, normalize=True) == ["rex"]


def test_normalize_with_nothing_left_is_an_error(tmp_path):
    path = write(tmp_path, "---\n42\n", name="junk.txt")
    with pytest.raises(NamesFileError, match="no names") as info:
        load_names(path, normalize=True)
    assert "junk.txt" in str(info.value)


def test_normalize_leaves_good_names_alone():
    assert load_names(DINOS, normalize=True) == load_names(DINOS)


# ----------------------------------------------------------------------------------------------
# encode_name and decode
# ----------------------------------------------------------------------------------------------


def test_encode_appends_end_of_name():
    char_to_ix, _ = build_vocab()
    assert encode_name("rex", char_to_ix) == [18, 5, 24, 0]
    assert encode_name("", char_to_ix) == [0]


def test_encode_decode_roundtrip_on_every_shipped_name():
    char_to_ix, ix_to_char = build_vocab()
    for name in load_names(DINOS):
        indices = encode_name(name, char_to_ix)
        assert len(indices) == len(name) + 1 and indices[-1] == 0
        assert all(1 <= ix <= 26 for ix in indices[:-1])
        assert decode(indices, ix_to_char) == name


def test_decode_stops_at_end_of_name_and_accepts_numpy():
    _, ix_to_char = build_vocab()
    assert decode([1, 2, 0, 3, 4], ix_to_char) == "ab"
    assert decode(np.array([26, 1, 0], dtype=np.int64), ix_to_char) == "za"
    assert decode([3, 1, 20], ix_to_char) == "cat"
    assert decode([], ix_to_char) == ""


def test_encode_and_decode_reject_what_is_not_in_the_vocabulary():
    char_to_ix, ix_to_char = build_vocab()
    with pytest.raises(ValueError, match="'R' at position 0"):
        encode_name("Rex", char_to_ix)
    with pytest.raises(ValueError, match="end-of-name"):
        encode_name("re\nx", char_to_ix)
    with pytest.raises(ValueError, match="index 27 at position 1"):
        decode([1, 27, 0], ix_to_char)


# ----------------------------------------------------------------------------------------------
# split_names
# ----------------------------------------------------------------------------------------------


def test_split_is_deterministic_and_follows_the_seeded_permutation():
    names = load_names(DINOS)
    train, val = split_names(names, val_fraction=0.1, seed=3)
    assert (train, val) == split_names(names, val_fraction=0.1, seed=3)
    order = np.random.default_rng(3).permutation(len(names))
    shuffled = [names[i] for i in order]
    n_val = round(0.1 * len(names))
    assert val == shuffled[:n_val]
    assert train == shuffled[n_val:]
    assert split_names(names, 0.1, seed=4) != (train, val)


def test_split_defaults():
    names = [f"name{c}" for c in "abcdefghijklmnopqrst"]
    assert split_names(names) == split_names(names, val_fraction=0.1, seed=0)


def test_split_is_disjoint_and_covers_everything():
    names = load_names(DINOS)
    train, val = split_names(names, val_fraction=0.2, seed=0)
    assert not set(train) & set(val)
    assert sorted(train + val) == sorted(names)
    assert len(val) == round(0.2 * len(names))


def test_split_keeps_duplicates_as_separate_names():
    names = ["rex", "rex", "zuul", "abc"]
    train, val = split_names(names, val_fraction=0.5, seed=1)
    assert sorted(train + val) == sorted(names)
    assert len(val) == 2


@pytest.mark.parametrize(
    "n, fraction, expected_val",
    [
        (10, 0.1, 1),
        (100, 0.1, 10),
        (1000, 0.25, 250),
        (2, 0.1, 1),  # round(0.2) == 0, raised to 1
        (5, 0.05, 1),  # round(0.25) == 0, raised to 1
        (3, 0.9, 2),  # round(2.7) == 3 would leave no training names
        (1, 0.5, 0),  # a single name cannot be split
        (0, 0.5, 0),
    ],
)
def test_split_sizes(n, fraction, expected_val):
    names = [f"n{i}" for i in range(n)]
    train, val = split_names(names, val_fraction=fraction, seed=0)
    assert len(val) == expected_val
    assert len(train) == n - expected_val


@pytest.mark.parametrize("fraction", [0.0, 1.0, -0.1, 1.5, math.nan])
def test_split_rejects_fractions_outside_0_1(fraction):
    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        split_names(["a", "b", "c"], val_fraction=fraction)


def test_split_does_not_change_its_input():
    names = ["c", "b", "a", "d"]
    split_names(names, 0.5, seed=0)
    assert names == ["c", "b", "a", "d"]
