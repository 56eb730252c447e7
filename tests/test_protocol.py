"""The wire format: what travels, what is refused, and that decoding yields plain data only."""

import os
import struct

import numpy as np
import pytest

from autograder.isolation import protocol
from autograder.isolation.protocol import ProtocolError, decode, encode


def roundtrip(value):
    return decode(encode(value))


def test_nested_values_roundtrip_exactly():
    rng = np.random.default_rng(3)
    value = {
        "V": rng.standard_normal((4, 3)),
        "idx": np.arange(5, dtype=np.int64),
        "mask": np.array([True, False]),
        "empty": np.zeros((0, 3)),
        "scalar_array": np.array(2.5),
        "list": [1, 2.5, "a", None, True, (3, "b")],
        "nested": {"deep": [{"x": np.ones((2, 1))}]},
        7: "int keys work too",
    }
    back = roundtrip(value)
    assert back.keys() == value.keys()
    np.testing.assert_array_equal(back["V"], value["V"])
    assert back["V"].dtype == np.float64 and back["idx"].dtype == np.int64
    assert back["mask"].dtype == np.bool_ and back["empty"].shape == (0, 3)
    assert back["scalar_array"].shape == ()
    assert back["list"] == [1, 2.5, "a", None, True, (3, "b")]
    assert isinstance(back["list"][5], tuple)
    np.testing.assert_array_equal(back["nested"]["deep"][0]["x"], np.ones((2, 1)))
    assert back[7] == "int keys work too"


def test_decoded_arrays_are_writable_base_ndarrays():
    back = roundtrip(np.arange(6.0).reshape(2, 3))
    assert type(back) is np.ndarray and back.flags.writeable and back.flags.owndata
    back[0, 0] = 99.0  # must not raise


def test_nan_and_inf_travel():
    back = roundtrip({"a": np.array([np.nan, np.inf, -np.inf]), "f": float("nan")})
    assert np.isnan(back["a"][0]) and np.isposinf(back["a"][1]) and np.isneginf(back["a"][2])
    assert np.isnan(back["f"])


def test_other_dtypes_are_converted():
    assert roundtrip(np.ones(3, dtype=np.float32)).dtype == np.float64
    assert roundtrip(np.ones(3, dtype=np.int32)).dtype == np.int64
    assert roundtrip(np.ones(3, dtype=np.uint8)).dtype == np.int64
    big_endian = np.arange(3, dtype=">f8")
    np.testing.assert_array_equal(roundtrip(big_endian), [0.0, 1.0, 2.0])
    # Non-contiguous views travel as their values.
    np.testing.assert_array_equal(roundtrip(np.arange(10.0)[::3]), [0.0, 3.0, 6.0, 9.0])


def test_numpy_scalars_become_python_scalars():
    back = roundtrip([np.float64(1.5), np.float32(2.0), np.int32(3), np.bool_(True)])
    assert back == [1.5, 2.0, 3, True]
    assert [type(v) for v in back] == [float, float, int, bool]


@pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")
def test_subclasses_become_base_ndarray():
    matrix = np.asmatrix(np.eye(2))
    back = roundtrip({"m": matrix, "masked": np.ma.masked_array([1.0, 2.0], mask=[0, 1])})
    assert type(back["m"]) is np.ndarray and type(back["masked"]) is np.ndarray
    np.testing.assert_array_equal(back["m"], np.eye(2))


@pytest.mark.parametrize("value", [
    np.array([object(), 1], dtype=object),
    np.array([1 + 2j]),
    np.array(["a", "b"]),
    np.zeros(2, dtype=[("a", "f8"), ("b", "i4")]),
    object(),
    {1.5: "float key"},
    {(1, 2): "tuple key"},
    {1, 2},
    lambda: 0,
    1 + 2j,
    np.random.default_rng(0).bit_generator,
    np.random.Generator(np.random.MT19937(0)),
])
def test_refused_values(value):
    with pytest.raises(ProtocolError):
        encode(value)


def test_depth_limit():
    value = []
    for _ in range(protocol.MAX_DEPTH + 5):
        value = [value]
    with pytest.raises(ProtocolError, match="nested"):
        encode(value)
    cyclic = []
    cyclic.append(cyclic)
    with pytest.raises(ProtocolError):
        encode(cyclic)
    # A hand-made frame nested too deeply is refused when decoding, too.
    header = ("[" * 200 + "]" * 200).encode()
    with pytest.raises(ProtocolError):
        protocol.decode_payload(header, b"")
    header = ("[" * 100_000 + "]" * 100_000).encode()
    with pytest.raises(ProtocolError):
        protocol.decode_payload(header, b"")


def test_size_limit(monkeypatch):
    monkeypatch.setattr(protocol, "MAX_MESSAGE", 1000)
    encode(np.zeros(100))  # 800 bytes: fine
    with pytest.raises(ProtocolError, match="larger"):
        encode(np.zeros(200))
    prefix = struct.pack("<4sII", b"AGv1", 10, 2000)
    with pytest.raises(ProtocolError, match="larger"):
        protocol.parse_prefix(prefix)


def test_generator_state_travels_and_is_rebuilt():
    rng = np.random.default_rng(42)
    rng.standard_normal(5)
    back = roundtrip({"rng": rng})["rng"]
    assert isinstance(back, np.random.Generator) and back is not rng
    np.testing.assert_array_equal(back.standard_normal(4), rng.standard_normal(4))


@pytest.mark.parametrize("header", [
    b'{"__pickle__": "x"}',
    b'{"__ndarray__": {"dtype": "object", "shape": [1], "offset": 0, "nbytes": 8}}',
    b'{"__ndarray__": {"dtype": "float64", "shape": [2], "offset": 0, "nbytes": 8}}',
    b'{"__ndarray__": {"dtype": "float64", "shape": [1], "offset": 8, "nbytes": 8}}',
    b'{"__ndarray__": {"dtype": "float64", "shape": [-1], "offset": 0, "nbytes": 8}}',
    b'{"__dict__": [["a"]]}',
    b'{"__dict__": [[1.5, 2]]}',
    b'{"a": 1, "b": 2}',
    b'{"__generator__": {"__dict__": [["bit_generator", "MT19937"]]}}',
    b'{"__generator__": {"__dict__": [["bit_generator", "PCG64"], ["state", 5]]}}',
    b"not json",
    b"\xff\xfe",
])
def test_malformed_frames_are_refused(header):
    with pytest.raises(ProtocolError):
        protocol.decode_payload(header, b"\0" * 8)


def test_bad_magic_and_truncated_frames():
    frame = encode([1, 2, 3])
    with pytest.raises(ProtocolError, match="magic"):
        decode(b"XXXX" + frame[4:])
    with pytest.raises(ProtocolError):
        decode(frame[:-1])


def test_channel_over_pipes_with_deadlines():
    import time

    r1, w1 = os.pipe()
    channel_a = protocol.Channel(r1, w1, nonblocking=True)
    value = {"X": np.arange(300_000.0)}  # bigger than a pipe buffer: written in pieces
    # One pipe both ways: send a small message, then read it back.
    channel_a.send({"op": "ping", "n": 1}, time.monotonic() + 5)
    assert channel_a.recv(time.monotonic() + 5) == {"op": "ping", "n": 1}
    with pytest.raises(protocol.ChannelTimeout):
        channel_a.recv(time.monotonic() + 0.05)
    # A big message nobody reads: the write times out instead of blocking forever.
    with pytest.raises(protocol.ChannelTimeout):
        channel_a.send(value, time.monotonic() + 0.2)
    os.close(r1)
    os.close(w1)
    r2, w2 = os.pipe()
    channel_b = protocol.Channel(r2, w2)
    os.close(w2)
    with pytest.raises(protocol.ChannelClosed):
        channel_b.recv(time.monotonic() + 1)
    os.close(r2)
