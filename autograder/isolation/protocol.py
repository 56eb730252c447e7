"""The wire format between the grader and the child process that runs student code.

Plain data only, never pickle, never eval. A message is one value (normally a dict with an ``"op"``)
sent as one frame over a pipe:

    frame  = magic b"AGv1" | header_len (uint32 LE) | blob_len (uint32 LE) | header | blob
    header = UTF-8 JSON of the value, arrays replaced by references into blob
    blob   = the arrays' raw little-endian bytes, one after the other

Values that travel, and their JSON form (every JSON object is a one-key tag, so a student's dict
can never be mistaken for an array):

    None, bool, int, float, str    -> themselves (NaN and inf included)
    list                           -> JSON list
    tuple                          -> {"__tuple__": [...]}
    dict (str or int keys)         -> {"__dict__": [[key, value], ...]}
    numpy.ndarray                  -> {"__ndarray__": {"dtype", "shape", "offset", "nbytes"}}
    numpy.random.Generator         -> {"__generator__": bit_generator.state}  (PCG64, PCG64DXSM)
    numpy scalars                  -> the Python scalar

Arrays travel as float64, int64 or bool. Other float and integer dtypes are converted (float32 ->
float64, int32/uint8/... -> int64); object, complex, string and structured dtypes are refused.
An ndarray subclass (np.matrix, a masked array, ...) is sent as the base ndarray np.asarray gives.

The decoder is the trust boundary: it checks sizes, depth, dtypes and shapes, and yields only base
``ndarray`` (writable copies), ``list``, ``tuple``, ``dict``, Python scalars and fresh Generators.

This module imports only the standard library and numpy: ``autograder/isolation/child.py`` loads
it by path inside the student's process, where nothing else of the project may be imported.
"""

from __future__ import annotations

import json
import math
import os
import select
import struct
import time

import numpy as np

MAGIC = b"AGv1"
PREFIX = struct.Struct("<4sII")
MAX_MESSAGE = 64 * 1024 * 1024  # bytes of header + blob in one frame
MAX_CHILD_HEADER = 4 * 1024 * 1024  # JSON header bytes the grader accepts from the child
MAX_DEPTH = 32  # nested containers in one value
MAX_NDIM = 32

WIRE_DTYPES = {"float64": np.dtype("<f8"), "int64": np.dtype("<i8"), "bool": np.dtype("|b1")}
GENERATOR_BITGENS = ("PCG64", "PCG64DXSM")
_WIRE_NAMES = {dt.str: name for name, dt in WIRE_DTYPES.items()}  # "<f8" -> "float64"
_NATIVE_DTYPES = {name: dt.newbyteorder("=") for name, dt in WIRE_DTYPES.items()}
# What json.dumps(tree, separators=(",", ":")) uses, built once instead of per message.
_JSON = json.JSONEncoder(separators=(",", ":"))
_JSON_SCALARS = frozenset((int, float, str, bool, type(None)))  # json.loads' own, decoded as is


class ProtocolError(ValueError):
    """A value that cannot travel, or a frame that breaks the format or its limits."""


# ----------------------------------------------------------------------------------------------
# values <-> (JSON-able tree, list of array bytes)


def _wire_array(a):
    """An ndarray (any subclass) as a base ndarray of one of the three wire dtypes."""
    a = np.asarray(a)  # drops subclasses: np.matrix, masked arrays, ... become base ndarray
    kind = a.dtype.kind
    if a.dtype.fields is not None or kind in "OUSVMmc":
        raise ProtocolError(f"arrays of dtype {a.dtype} cannot be sent (use float64 or int64)")
    if kind == "b":
        target = WIRE_DTYPES["bool"]
    elif kind == "f":
        target = WIRE_DTYPES["float64"]
    elif kind == "i":
        target = WIRE_DTYPES["int64"]
    elif kind == "u":
        if a.dtype.itemsize == 8 and a.size and int(a.max()) > np.iinfo(np.int64).max:
            raise ProtocolError("uint64 array with values beyond int64 cannot be sent")
        target = WIRE_DTYPES["int64"]
    else:  # pragma: no cover - every numpy kind is listed above
        raise ProtocolError(f"arrays of dtype {a.dtype} cannot be sent")
    # Not ascontiguousarray: it turns a 0-d array into shape (1,). tobytes() writes C order anyway.
    return a.astype(target, copy=False)


def _encode_array(value, blobs, sizes):
    # A base float64/int64/bool array in little-endian order is sent as it is (the common case).
    a = value if type(value) is np.ndarray and value.dtype.str in _WIRE_NAMES else \
        _wire_array(value)
    offset = sizes[0]
    data = a.tobytes()
    blobs.append(data)
    sizes[0] += len(data)
    if sizes[0] > MAX_MESSAGE:
        raise ProtocolError(f"message larger than {MAX_MESSAGE // 2**20} MB")
    return {"__ndarray__": {"dtype": _WIRE_NAMES[a.dtype.str], "shape": list(a.shape),
                            "offset": offset, "nbytes": len(data)}}


def _encode_dict(value, blobs, sizes, depth):
    items = []
    for key, item in value.items():
        if isinstance(key, bool) or not isinstance(key, (str, int)):
            raise ProtocolError(f"dict keys must be str or int, not {type(key).__name__}")
        items.append([str(key) if isinstance(key, str) else int(key),
                      _encode(item, blobs, sizes, depth + 1)])
    return {"__dict__": items}


def _encode(value, blobs, sizes, depth):
    if depth > MAX_DEPTH:
        raise ProtocolError(f"value nested deeper than {MAX_DEPTH} levels")
    # Exact built-in types first (nearly every value of every message), then subclasses and
    # numpy scalars by isinstance, in an order that matters: bool is a subclass of int, and
    # np.float64 of float (made a plain float).
    kind = type(value)
    if kind is np.ndarray:
        return _encode_array(value, blobs, sizes)
    if value is None or kind is float or kind is str or kind is bool or kind is int:
        return value
    if kind is dict:
        return _encode_dict(value, blobs, sizes, depth)
    if kind is list:
        return [_encode(item, blobs, sizes, depth + 1) for item in value]
    if kind is tuple:
        return {"__tuple__": [_encode(item, blobs, sizes, depth + 1) for item in value]}
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value)
    if isinstance(value, str):
        return str(value)
    if isinstance(value, np.ndarray):
        return _encode_array(value, blobs, sizes)
    if isinstance(value, np.random.Generator):
        state = value.bit_generator.state
        if state.get("bit_generator") not in GENERATOR_BITGENS:
            raise ProtocolError(
                f"only Generators over {' or '.join(GENERATOR_BITGENS)} can be sent, "
                f"not {state.get('bit_generator')}"
            )
        return {"__generator__": _encode(state, blobs, sizes, depth + 1)}
    if isinstance(value, dict):
        return _encode_dict(value, blobs, sizes, depth)
    if isinstance(value, list):
        return [_encode(item, blobs, sizes, depth + 1) for item in value]
    if isinstance(value, tuple):
        return {"__tuple__": [_encode(item, blobs, sizes, depth + 1) for item in value]}
    if isinstance(value, (complex, np.complexfloating)):
        raise ProtocolError("complex numbers cannot be sent")
    raise ProtocolError(
        f"a value of type {type(value).__module__}.{type(value).__qualname__} cannot be sent "
        "(only arrays, numbers, str, None, lists, tuples, dicts and numpy Generators)"
    )


def encode(value):
    """A value as one frame (bytes). Raises ProtocolError if it cannot travel or is too large."""
    blobs, sizes = [], [0]
    try:
        tree = _encode(value, blobs, sizes, 0)
        header = _JSON.encode(tree).encode("utf-8")
    except RecursionError as exc:
        raise ProtocolError("value nested too deeply") from exc
    except ValueError as exc:  # e.g. an int with more digits than Python converts to str
        if isinstance(exc, ProtocolError):
            raise
        raise ProtocolError(f"value cannot be sent: {exc}") from exc
    blob_len = sizes[0]
    if len(header) + blob_len > MAX_MESSAGE:
        raise ProtocolError(f"message larger than {MAX_MESSAGE // 2**20} MB")
    return b"".join([PREFIX.pack(MAGIC, len(header), blob_len), header, *blobs])


def _decode(tree, blob, depth):
    if depth > MAX_DEPTH:
        raise ProtocolError(f"value nested deeper than {MAX_DEPTH} levels")
    if tree is None or isinstance(tree, (bool, str)):
        return tree
    if isinstance(tree, int):
        return int(tree)
    if isinstance(tree, float):
        return float(tree)
    if isinstance(tree, list):
        if depth < MAX_DEPTH and all(type(item) in _JSON_SCALARS for item in tree):
            return tree  # a list of plain scalars (sample's indices) is what json.loads made
        return [_decode(item, blob, depth + 1) for item in tree]
    if not isinstance(tree, dict) or len(tree) != 1:
        raise ProtocolError("malformed value in message")
    (tag, body), = tree.items()
    if tag == "__tuple__" and isinstance(body, list):
        return tuple(_decode(item, blob, depth + 1) for item in body)
    if tag == "__dict__" and isinstance(body, list):
        out = {}
        for pair in body:
            if not (isinstance(pair, list) and len(pair) == 2):
                raise ProtocolError("malformed dict in message")
            key = pair[0]
            if isinstance(key, bool) or not isinstance(key, (str, int)):
                raise ProtocolError("malformed dict key in message")
            out[key] = _decode(pair[1], blob, depth + 1)
        return out
    if tag == "__ndarray__" and isinstance(body, dict):
        return _decode_array(body, blob)
    if tag == "__generator__":
        return _decode_generator(_decode(body, blob, depth + 1))
    raise ProtocolError(f"unknown tag {str(tag)[:40]!r} in message")


def _decode_array(body, blob):
    name = body.get("dtype")
    dtype = WIRE_DTYPES.get(name) if isinstance(name, str) else None
    shape, offset, nbytes = body.get("shape"), body.get("offset"), body.get("nbytes")
    if dtype is None:
        raise ProtocolError(f"array dtype {str(body.get('dtype'))[:40]!r} is not allowed")
    if not (isinstance(shape, list) and len(shape) <= MAX_NDIM
            and all(type(n) is int and n >= 0 for n in shape)):
        raise ProtocolError("malformed array shape in message")
    if not (type(offset) is int and type(nbytes) is int and 0 <= offset
            and 0 <= nbytes and offset + nbytes <= len(blob)):
        raise ProtocolError("array bytes out of range in message")
    count = math.prod(shape)
    if count * dtype.itemsize != nbytes:
        raise ProtocolError("array shape does not match its bytes")
    # A copy: writable, owning its memory, native byte order, never a view into the message.
    a = np.frombuffer(blob, dtype=dtype, count=count, offset=offset).reshape(shape)
    return np.array(a, dtype=_NATIVE_DTYPES[name], copy=True)


def _decode_generator(state):
    if not isinstance(state, dict) or state.get("bit_generator") not in GENERATOR_BITGENS:
        raise ProtocolError("malformed Generator state in message")
    bit_generator = getattr(np.random, state["bit_generator"])()
    try:
        bit_generator.state = state
    except (TypeError, ValueError, KeyError, OverflowError) as exc:
        raise ProtocolError(f"malformed Generator state in message: {exc}") from exc
    return np.random.Generator(bit_generator)


def decode_payload(header: bytes, blob: bytes):
    """The value of one frame's header and blob (see the module docstring); ProtocolError if bad."""
    try:
        tree = json.loads(header.decode("utf-8"))
        return _decode(tree, blob, 0)
    except ProtocolError:
        raise
    except (UnicodeDecodeError, ValueError, RecursionError, MemoryError, TypeError) as exc:
        raise ProtocolError(f"malformed message: {type(exc).__name__}") from exc


def decode(frame: bytes):
    """The value of one whole frame (as produced by ``encode``)."""
    header_len, blob_len = parse_prefix(frame[: PREFIX.size])
    if len(frame) != PREFIX.size + header_len + blob_len:
        raise ProtocolError("frame length does not match its prefix")
    start = PREFIX.size
    return decode_payload(frame[start:start + header_len], frame[start + header_len:])


def parse_prefix(prefix: bytes, max_header: int = MAX_MESSAGE):
    """(header_len, blob_len) from a frame's 12-byte prefix; ProtocolError if bad or too large.

    max_header -- the largest JSON header accepted (bytes); see ``Channel``.
    """
    if len(prefix) != PREFIX.size:
        raise ProtocolError("truncated frame")
    magic, header_len, blob_len = PREFIX.unpack(prefix)
    if magic != MAGIC:
        raise ProtocolError("bad frame magic (not a grader message)")
    if header_len + blob_len > MAX_MESSAGE:
        raise ProtocolError(f"message larger than {MAX_MESSAGE // 2**20} MB")
    if header_len > max_header:
        raise ProtocolError(f"message header larger than {max_header // 2**20} MB (send numbers "
                            "as arrays, not as long lists)")
    return header_len, blob_len


# ----------------------------------------------------------------------------------------------
# frames over file descriptors


class ChannelClosed(EOFError):
    """The other end closed its pipe (the child died or closed the descriptor)."""


class ChannelTimeout(TimeoutError):
    """No whole message arrived (or could be written) before the deadline."""


def _wait(fd, event, seconds):
    """True when fd is ready for event (or hung up) within seconds. poll has no FD_SETSIZE limit."""
    poller = select.poll()
    poller.register(fd, event)
    return bool(poller.poll(max(1, int(seconds * 1000))))


class Channel:
    """Messages over a pair of pipe file descriptors, with optional deadlines.

    The grader uses deadlines (``time.monotonic()`` values) on both reads and writes, so that a
    child that stops reading or writing can never block it; the child uses blocking calls.
    """

    def __init__(self, read_fd: int, write_fd: int, nonblocking: bool = False,
                 max_header: int = MAX_MESSAGE):
        self.read_fd = read_fd
        self.write_fd = write_fd
        # The grader reads the child's frames with a small max_header: a JSON header of tens of
        # MB (a list of millions of ints) would become gigabytes of Python objects here.
        self.max_header = max_header
        self._buffer = bytearray()
        if nonblocking:
            os.set_blocking(write_fd, False)

    def send(self, value, deadline=None):
        """Encode and write one value; ProtocolError if it cannot travel."""
        self.send_frame(encode(value), deadline)

    def send_frame(self, frame, deadline=None):
        """Write one already encoded frame (bytes from ``encode``)."""
        data = memoryview(frame)
        while data:
            if deadline is not None:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise ChannelTimeout("timed out writing a message")
                if not _wait(self.write_fd, select.POLLOUT, remaining):
                    continue
            try:
                written = os.write(self.write_fd, data[: 1 << 20])
            except BlockingIOError:
                continue
            except (BrokenPipeError, OSError) as exc:
                raise ChannelClosed("the other end closed the pipe") from exc
            data = data[written:]

    def _fill(self, need, deadline):
        while len(self._buffer) < need:
            if deadline is not None:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise ChannelTimeout("timed out waiting for a message")
                if not _wait(self.read_fd, select.POLLIN, remaining):
                    continue
            try:
                chunk = os.read(self.read_fd, max(need - len(self._buffer), 1 << 16))
            except OSError as exc:
                raise ChannelClosed("the pipe broke") from exc
            if not chunk:
                raise ChannelClosed("the other end closed the pipe")
            self._buffer += chunk

    def recv_frame(self, deadline=None):
        """Read one whole frame, undecoded (its prefix checked); ChannelTimeout, ChannelClosed or
        ProtocolError."""
        self._fill(PREFIX.size, deadline)
        header_len, blob_len = parse_prefix(bytes(self._buffer[: PREFIX.size]), self.max_header)
        total = PREFIX.size + header_len + blob_len
        self._fill(total, deadline)
        frame = bytes(self._buffer[:total])
        del self._buffer[:total]
        return frame

    def recv(self, deadline=None):
        """Read and decode one value; ChannelTimeout, ChannelClosed or ProtocolError."""
        return decode(self.recv_frame(deadline))
