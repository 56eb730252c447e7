"""The child process: runs a student's notebook and serves calls to its functions.

Started by ``autograder.isolation.runner`` as

    python -I -u child.py READ_FD WRITE_FD

with the two ends of the message pipes passed as file descriptors (never stdin/stdout, so student
code printing to or reading from fd 0/1/2 cannot touch the protocol). It imports the standard
library, numpy and ``protocol.py``, which it loads **by path from its own directory** (no package
import; under ``-I`` the script's directory is not on sys.path). A launcher that copies this file
elsewhere must copy ``protocol.py`` beside it. Nothing of ``solutions`` or the checks ever enters
this process: references are asked of the grader ("oracle" requests).

Messages (see protocol.py for the encoding), grader -> child:

    {"op": "run", "cells": [{"index", "source", "tags"}], "skip": [index, ...]}
    {"op": "call", "seq", "fn", "args", "kwargs", "repeat": n|None, "with_reference": [names],
     "refuse": {"names": [names], "message"} (optional: those functions raise during the call)}
    {"op": "oracle_result", "value"} | {"op": "oracle_error", "type", "message"}

child -> grader:

    {"op": "hello"}
    {"op": "cell_start", "index"} / {"op": "cell_end", "index", "error": None|{...}, "stdout"}
    {"op": "ready", "defined": [names of callables], "stdout"}
    {"op": "result", "value", "args", "kwargs", "stdout", "seq"} | {"op": "error", "type",
     "message", "traceback", "stdout", "seq"}     (seq: the call request's number, echoed)
    {"op": "oracle", "fn", "args", "kwargs"}

Two things keep grading fast without changing what is graded:

- Oracle answers are remembered for the rest of one "call" request, keyed by the oracle request's
  exact bytes: the grader decodes those bytes and runs a deterministic reference on them, so the
  same bytes always get the same answer (sample's statistical cases ask for the same few first
  steps thousands of times). For the usual request (arrays, dicts of arrays, plain scalars) the
  key is ``_request_key``, which determines those bytes without encoding them; a hit is a fresh
  copy of the decoded answer, so the student gets new arrays and no round trip.
- ``matplotlib`` (and its submodules) are imported lazily: ``import matplotlib.pyplot as plt``
  binds a stand-in, and the real import happens when the student's code first reads an attribute
  of any of them. Notebooks import it for their demonstrations, which the grader skips; a function
  that does plot still gets the real module.
"""

import builtins
import ctypes
import importlib.machinery
import importlib.util
import io
import linecache
import os
import sys
import threading
import time
import traceback
import types

_HERE = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location("_autograder_protocol", os.path.join(_HERE,
                                                                                 "protocol.py"))
protocol = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(protocol)

STDOUT_CAP = 10_000  # characters of captured output kept per notebook run and per call
SKIP_TAG = "skip-grading"
STOP_WAIT_READY, STOP_WAIT_CALL = 0.2, 0.05  # seconds stop_stray_threads waits for threads
# Cell magics whose body is ordinary Python; any other %%magic cell is skipped whole.
PYTHON_CELL_MAGICS = ("time", "timeit", "capture")
_OWN_FILES = {os.path.abspath(__file__), os.path.join(_HERE, "protocol.py")}
# Taken before any student code runs (a cell may rebind sys._current_frames or ctypes' names).
_MAIN_THREAD = threading.get_ident()
_current_frames = sys._current_frames
_set_async_exc = ctypes.pythonapi.PyThreadState_SetAsyncExc
_set_async_exc.argtypes = (ctypes.c_ulong, ctypes.py_object)
_set_async_exc.restype = ctypes.c_int
_py_object = ctypes.py_object


def stop_stray_threads(wait):
    """Raise SystemExit in every Python thread but this process's own (threads student code
    started) and wait up to ``wait`` seconds for them to end; return how many are left.

    Graded calls run in this process: threads a cell or an earlier call left spinning would share
    its GIL and CPU with them and make honest functions miss their time limits, or write into the
    arrays of a reply. Called before grading starts and after every call. A thread asleep in C
    (time.sleep(3600)) gets the exception when it wakes: it costs nothing meanwhile.
    """
    deadline = time.monotonic() + wait
    while True:
        others = [ident for ident in _current_frames() if ident != _MAIN_THREAD]
        if not others:
            return 0
        for ident in others:
            _set_async_exc(ident, _py_object(SystemExit))
        if time.monotonic() >= deadline:
            return len(others)
        time.sleep(0.002)  # releases the GIL: they run into the exception


class CappedText(io.TextIOBase):
    """A text stream keeping the first ``cap`` characters written and counting the rest."""

    def __init__(self, cap):
        self.cap = cap
        self.kept = 0
        self.dropped = 0
        self._pending = []

    def writable(self):
        return True

    def write(self, text):
        text = str(text)
        room = self.cap - self.kept
        if room > 0:
            self._pending.append(text[:room])
            self.kept += min(room, len(text))
        self.dropped += max(0, len(text) - max(room, 0))
        return len(text)

    def take(self):
        """Text written since the last take, plus a note about what was dropped since then."""
        text = "".join(self._pending)
        self._pending = []
        if self.dropped:
            text += f"\n[... {self.dropped} more characters of output not kept]\n"
            self.dropped = 0
        return text


class OracleError(RuntimeError):
    """The grader could not compute the reference result for a call the student's code made."""


def _make_otter_stub():
    """A stand-in ``otter`` package: ``otter.Notebook(...)`` and all its methods do nothing."""

    class _Nothing:
        def __init__(self, *args, **kwargs):
            pass

        def __getattr__(self, name):
            if name.startswith("__"):
                raise AttributeError(name)
            return lambda *args, **kwargs: None

        def __repr__(self):
            return ""

    otter = types.ModuleType("otter")
    otter.__path__ = []
    otter.Notebook = _Nothing
    return otter


class _BlockProject:
    """Import hook refusing the grader's own packages, so a cell cannot import the references.

    A speed bump only: code in this process could remove it. The real barrier is that the
    sandbox's unprivileged user cannot read those files.
    """

    BLOCKED = ("solutions", "autograder")

    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in self.BLOCKED:
            raise ImportError(f"{name} is not available while grading")
        return None


LAZY_PACKAGES = ("matplotlib",)
ORACLE_CACHE_BYTES = 32 * 1024 * 1024  # request + answer bytes kept per call request
# Attributes the import system reads or sets while it imports a module: never a reason to load it.
_IMPORT_ATTRS = frozenset(("__path__", "__file__", "__cached__", "__loader__", "__spec__",
                           "__package__", "__name__", "__builtins__"))


class _LazyModule(types.ModuleType):
    """Stands in for a module of LAZY_PACKAGES until one of its attributes is read."""

    def __getattr__(self, name):  # only called for attributes the stand-in does not have
        if name in _IMPORT_ATTRS:
            raise AttributeError(name)
        return getattr(_LazyImports.load(self.__name__), name)


class _LazyLoader:
    def __init__(self, real_spec):
        self.real_spec = real_spec

    def create_module(self, spec):
        module = _LazyModule(spec.name)
        if self.real_spec.submodule_search_locations is not None:
            # The real package's folders: importing a submodule finds it without loading this one.
            module.__path__ = list(self.real_spec.submodule_search_locations)
        return module

    def exec_module(self, module):
        pass


class _LazyImports:
    """Meta path finder handing out stand-ins for LAZY_PACKAGES, until the first real use.

    The stand-in is made only where the real module exists (so a missing package still raises
    ModuleNotFoundError at the import). When any stand-in is first used, every stand-in leaves
    sys.modules, the finder switches itself off, and the real module is imported: from then on
    all imports are ordinary and the stand-ins forward to the real modules.
    """

    active = True

    def find_spec(self, name, path=None, target=None):
        if not _LazyImports.active or name.split(".")[0] not in LAZY_PACKAGES:
            return None
        real = importlib.machinery.PathFinder.find_spec(name, path)
        if real is None or real.loader is None:
            return None
        return importlib.machinery.ModuleSpec(
            name, _LazyLoader(real), is_package=real.submodule_search_locations is not None)

    @staticmethod
    def load(name):
        if _LazyImports.active:
            _LazyImports.active = False
            for key in [k for k, m in sys.modules.items() if isinstance(m, _LazyModule)]:
                del sys.modules[key]
        return importlib.import_module(name)


class _OracleCache:
    """Decoded oracle answers by request key, up to ORACLE_CACHE_BYTES of request and answer
    frames; see the docstring."""

    def __init__(self):
        self.clear()

    def clear(self):
        self.answers = {}
        self.size = 0

    def get(self, key):
        return self.answers.get(key)

    def put(self, key, value, frame_bytes):
        if self.size + frame_bytes <= ORACLE_CACHE_BYTES:
            self.answers[key] = value
            self.size += frame_bytes


class _NoKey(Exception):
    """A value outside the types ``_request_key`` knows: the request's frame is its key."""


_np = protocol.np
_KEY_SCALARS = (str, int, bool, float, type(None))


def _value_key(value, depth):
    """A hashable key of a value that determines its encoding (``protocol.encode``) exactly: the
    exact type of every container and scalar, each array's wire dtype, shape and bytes, each
    dict's keys in order. Anything else (subclasses, Generators, other dtypes) raises _NoKey."""
    kind = type(value)
    if depth > protocol.MAX_DEPTH:
        raise _NoKey
    if kind is _np.ndarray:
        dtype = value.dtype.str
        if dtype not in protocol._WIRE_NAMES:
            raise _NoKey
        return (dtype, value.shape, value.tobytes())
    if kind is dict:
        items = []
        for key, item in value.items():
            if type(key) is not str:
                raise _NoKey
            items.append((key, _value_key(item, depth + 1)))
        return ("dict", tuple(items))
    if kind is list or kind is tuple:
        return (kind.__name__, tuple(_value_key(item, depth + 1) for item in value))
    if kind in _KEY_SCALARS:
        # repr: how JSON writes a float (-0.0 and 0.0 differ); the type tells True from 1.
        return (kind.__name__, repr(value) if kind is float else value)
    raise _NoKey


def _request_key(name, args, kwargs):
    """The cache key of an oracle request, or None (then its frame is the key)."""
    try:
        return (name, _value_key(args, 1), _value_key(kwargs, 1))
    except _NoKey:
        return None


def _fresh(value):
    """A copy of a decoded answer as ``protocol.decode`` would give it again: new arrays, lists,
    tuples and dicts. Raises _NoKey for anything else (a Generator): decode the frame then."""
    kind = type(value)
    if kind is _np.ndarray:
        return value.copy()
    if kind is tuple:
        return tuple(_fresh(item) for item in value)
    if kind is list:
        return [_fresh(item) for item in value]
    if kind is dict:
        return {key: _fresh(item) for key, item in value.items()}
    if kind in _KEY_SCALARS:
        return value
    raise _NoKey


def strip_magics(source):
    """The cell's Python: IPython line magics and shell lines (``%...``, ``!...``) become ``pass``.

    Returns None for a cell magic that is not Python (``%%bash``, ``%%html``, ...): skip the cell.
    """
    lines = source.splitlines()
    first = next((line.strip() for line in lines if line.strip()), "")
    if first.startswith("%%"):
        if first[2:].split()[0:1] and first[2:].split()[0] in PYTHON_CELL_MAGICS:
            index = next(i for i, line in enumerate(lines) if line.strip())
            lines[index] = ""
        else:
            return None
    out = []
    for line in lines:
        stripped = line.lstrip()
        if stripped.startswith(("%", "!")):
            # Keep the line (as `pass`, same indentation) so line numbers and blocks stay intact.
            out.append(line[: len(line) - len(stripped)] + "pass")
        else:
            out.append(line)
    return "\n".join(out) + "\n"


def _own_frame(frame):
    """A frame of this file, protocol.py or code the grader made here (``<grader>``)."""
    return frame.filename == "<grader>" or os.path.abspath(frame.filename) in _OWN_FILES


def student_traceback(exc):
    """The traceback of exc without the frames of this file and protocol.py."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if not _own_frame(f)]
    lines = traceback.format_list(frames)
    lines += traceback.format_exception_only(type(exc), exc)
    return "".join(lines)[-4000:]


def _safe_str(exc):
    try:
        return str(exc)[:2000]
    except BaseException:  # noqa: BLE001 - a student exception whose __str__ itself fails
        return "<the exception's message could not be read>"


def describe(exc):
    """An exception as plain data: type, message, where (cell and line), student traceback."""
    try:
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if not _own_frame(f)]
        # The innermost frame of the student's own cells, never a library's or the grader's path
        # (autograder/tracebacks.py turns it into the cell and line the student sees).
        cells = [(f.filename, f.lineno) for f in frames if f.filename.startswith("<cell ")]
        if isinstance(exc, SyntaxError) and str(exc.filename).startswith("<cell "):
            cells.append((exc.filename, exc.lineno))  # where compiling the cell failed
        where = f"{cells[-1][0].strip('<>')}, line {cells[-1][1]}" if cells else ""
        text = student_traceback(exc)
    except BaseException:  # noqa: BLE001
        where, text = "", ""
    message = _safe_str(exc)
    if isinstance(exc, SyntaxError) and where and isinstance(exc.msg, str):
        message = exc.msg[:2000]  # str() would add "(<cell N>, line L)": where says it better
    return {"type": type(exc).__name__[:200], "message": message, "where": where,
            "traceback": text}


class Child:
    def __init__(self, channel):
        self.channel = channel
        self.namespace = {"__name__": "__main__", "__builtins__": builtins}
        self.output = CappedText(STDOUT_CAP)
        self.oracle_cache = _OracleCache()
        self._builtins = dict(builtins.__dict__)

    def restore_builtins(self):
        """Undo what student code did to the builtins module (``builtins.float = ...``).

        This process's own code (the protocol's encoder, json) looks names up there too: a cell
        replacing ``float`` or ``isinstance`` would otherwise break every later reply, and with
        it the grading of functions that did nothing wrong. Numpy patches are the student's own
        business: they change only what the student's functions return.
        """
        current = builtins.__dict__
        for name in [n for n in current if n not in self._builtins]:
            del current[name]
        for name, value in self._builtins.items():
            if current.get(name, _MISSING) is not value:
                current[name] = value

    # -- notebook ------------------------------------------------------------------------------

    def run_cells(self, cells, skip):
        skip = set(skip)
        for cell in cells:
            index = cell["index"]
            if index in skip or SKIP_TAG in cell.get("tags", []):
                continue
            source = strip_magics(cell["source"])
            if source is None:
                continue
            self.channel.send({"op": "cell_start", "index": index})
            filename = f"<cell {index}>"
            # linecache lets tracebacks show the student's source lines.
            linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
            error = None
            try:
                code = compile(source, filename, "exec")
                exec(code, self.namespace)
            except BaseException as exc:  # noqa: BLE001 - SystemExit in a cell is the student's
                error = describe(exc)
            self.restore_builtins()
            self.channel.send({"op": "cell_end", "index": index, "error": error,
                               "stdout": self.output.take()})
        stop_stray_threads(STOP_WAIT_READY)
        defined = sorted(name for name, value in self.namespace.items()
                         if callable(value) and not name.startswith("__"))
        self.channel.send({"op": "ready", "defined": defined, "stdout": self.output.take()})

    # -- calls ---------------------------------------------------------------------------------

    def _oracle_stub(self, name):
        channel, cache = self.channel, self.oracle_cache

        def reference(*args, **kwargs):
            args = list(args)
            key = _request_key(name, args, kwargs)
            request = None
            if key is None:
                request = key = protocol.encode({"op": "oracle", "fn": name, "args": args,
                                                 "kwargs": kwargs})
            hit = cache.get(key)
            if hit is not None:
                try:
                    return _fresh(hit[0])  # fresh arrays: the student may write into them
                except _NoKey:
                    return protocol.decode(hit[1])["value"]
            if request is None:
                request = protocol.encode({"op": "oracle", "fn": name, "args": args,
                                           "kwargs": kwargs})
            channel.send_frame(request)
            answer = channel.recv_frame()
            reply = protocol.decode(answer)
            if isinstance(reply, dict) and reply.get("op") == "oracle_result":
                # The cache keeps its own decoding: the student may write into this one.
                cache.put(key, (protocol.decode(answer)["value"], answer),
                          len(request) + len(answer))
                return reply["value"]
            raise OracleError(f"the reference {name} failed on the arguments given: "
                              f"{reply.get('type')}: {reply.get('message')}")

        reference.__name__ = name
        return reference

    def _refuse(self, refuse, saved):
        """Make the notebook's functions ``refuse["names"]`` raise RuntimeError(message).

        The names are rebound to a function that raises, and a plain function object found
        under one of them (no closure) gets that function's code too, so that an alias made
        earlier (``forward = rnn_forward``, a default argument) refuses as well. Returns the
        [(function, its own code)] to put back; the names' old values go into ``saved``.
        """
        if not isinstance(refuse, dict):
            return []
        message = str(refuse.get("message", "this function may not be called here"))
        scope = {"__builtins__": builtins}
        exec(compile(f"def refused(*args, **kwargs):\n    raise RuntimeError({message!r})\n",
                     "<grader>", "exec"), scope)
        refused = scope["refused"]
        swapped = []
        for name in refuse.get("names", []):
            current = self.namespace.get(name, _MISSING)
            if current is _MISSING:
                continue
            saved.setdefault(name, current)
            self.namespace[name] = refused
            if isinstance(current, types.FunctionType) and current.__closure__ is None and \
                    all(current is not f for f, _ in swapped):
                swapped.append((current, current.__code__))
                current.__code__ = refused.__code__
        return swapped

    def call(self, request):
        name = request["fn"]
        args, kwargs = list(request.get("args", [])), dict(request.get("kwargs", {}))
        fn = self.namespace.get(name)
        if not callable(fn):
            return {"op": "error", "type": "NameError",
                    "message": f"{name} is not defined by the notebook", "traceback": ""}
        saved = {}
        self.oracle_cache.clear()  # which names the grader answers is decided per request
        for ref in request.get("with_reference", []):
            saved[ref] = self.namespace.get(ref, _MISSING)
            self.namespace[ref] = self._oracle_stub(ref)
        swapped_code = self._refuse(request.get("refuse"), saved)
        try:
            repeat = request.get("repeat")
            if repeat is None:
                value = fn(*args, **kwargs)
            else:
                value = [fn(*args, **kwargs) for _ in range(int(repeat))]
        except BaseException as exc:  # noqa: BLE001 - everything the student raises is reported
            return {"op": "error", **describe(exc)}
        finally:
            stop_stray_threads(STOP_WAIT_CALL)
            self.restore_builtins()
            self.oracle_cache.clear()
            for function, code in swapped_code:
                function.__code__ = code
            for ref, old in saved.items():
                if old is _MISSING:
                    self.namespace.pop(ref, None)
                else:
                    self.namespace[ref] = old
        return {"op": "result", "value": value, "args": args, "kwargs": kwargs}

    def send_reply(self, reply):
        reply["stdout"] = self.output.take()
        try:
            self.channel.send(reply)
        except protocol.ProtocolError as exc:
            self.channel.send({
                "op": "error", "type": "UnsupportedValue",
                "message": f"the function returned (or left in its arguments) something the "
                           f"grader cannot read: {exc}",
                "traceback": "", "stdout": reply["stdout"], "seq": reply.get("seq")})

    def serve(self):
        while True:
            try:
                request = self.channel.recv()
            except protocol.ChannelClosed:
                return
            op = request.get("op")
            if op == "run":
                self.run_cells(request["cells"], request.get("skip", []))
            elif op == "call":
                reply = self.call(request)
                reply["seq"] = request.get("seq")  # which call this answers (see runner.call)
                self.send_reply(reply)
            elif op == "exit":
                return


_MISSING = object()


def main(argv):
    read_fd, write_fd = int(argv[1]), int(argv[2])
    channel = protocol.Channel(read_fd, write_fd)
    os.environ["MPLBACKEND"] = "Agg"  # no window can open; plt.show() does nothing
    sys.modules["otter"] = _make_otter_stub()
    for name in list(sys.modules):
        if name.split(".")[0] in _BlockProject.BLOCKED:
            del sys.modules[name]
    sys.meta_path.insert(0, _BlockProject())
    sys.meta_path.insert(1, _LazyImports())
    child = Child(channel)
    # Student output goes to a capped buffer; fd 1/2 go to /dev/null (the grader reads neither).
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    os.close(devnull)
    sys.stdout = sys.stderr = child.output
    sys.stdin = io.StringIO("")
    channel.send({"op": "hello", "pid": os.getpid()})
    child.serve()
    os._exit(0)  # skip interpreter teardown: student threads or atexit hooks must not linger


if __name__ == "__main__":
    main(sys.argv)
