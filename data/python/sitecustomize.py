# rwshim: Python attribution for `rwshim trace` and `rwshim check`.
#
# rwshim puts this directory first on PYTHONPATH. At interpreter start it installs an audit hook
# (PEP 578) that appends, for every file operation that writes (all of them with RWSHIM_ALL=1), a
# {"ev":"py"} record to the event file: pid, audit event, absolute path(s) and the Python stack
# (innermost first, standard library left out). rwshim matches it to the libc-level record the
# preload writes for the same call, and so names the package, file and line behind each write.
# Then it runs the sitecustomize this one shadows, if there is one.
# It never changes what the program does: every failure here is swallowed.
import os
import sys


def _rwshim_install():
    path = os.environ.get("RWSHIM_EVENTS")
    if not path or not hasattr(sys, "addaudithook"):
        return
    try:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CLOEXEC)
    except OSError:
        return
    # No json (nor the re it imports): ~5 ms at every start, and importing it later from inside
    # the hook could pick up a program's own json.py. record() writes what json.dumps would.
    escapes = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t",
               "\b": "\\b", "\f": "\\f"}

    def q(text):
        # json.dumps(text) with ensure_ascii: printable ASCII as is, the rest as \uXXXX.
        if text.isascii() and text.isprintable() and '"' not in text and "\\" not in text:
            return '"' + text + '"'
        out = []
        for ch in text:
            o = ord(ch)
            if ch in escapes:
                out.append(escapes[ch])
            elif 0x20 <= o < 0x7F:
                out.append(ch)
            elif o < 0x10000:
                out.append("\\u%04x" % o)
            else:
                o -= 0x10000
                out.append("\\u%04x\\u%04x" % (0xD800 | (o >> 10), 0xDC00 | (o & 0x3FF)))
        return '"' + "".join(out) + '"'

    def record(event, first, second, frames):
        stack_json = ", ".join("[%s, %s]" % (q(name), "null" if line is None else "%d" % line)
                               for name, line in frames)
        return '{"ev": "py", "pid": %d, "event": %s, "path": %s, "path2": %s, "stack": [%s]}' % (
            os.getpid(), q(event), q(first), "null" if second is None else q(second), stack_json)

    record_all = os.environ.get("RWSHIM_ALL") == "1"
    here = os.path.abspath(__file__)
    stdlib = os.path.dirname(os.path.abspath(os.__file__)) + os.sep
    write_flags = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
    # audit event -> (index of path, index of second path or None)
    watched = {
        "open": (0, None), "os.mkdir": (0, None), "os.rename": (0, 1), "os.remove": (0, None),
        "os.rmdir": (0, None), "os.chmod": (0, None), "os.chown": (0, None),
        "os.truncate": (0, None), "os.link": (0, 1), "os.symlink": (1, None),
        "os.utime": (0, None), "os.mkfifo": (0, None), "os.mknod": (0, None),
        "os.setxattr": (0, None), "os.removexattr": (0, None), "shutil.rmtree": (0, None),
    }
    busy = [False]

    def is_ours(filename):
        # Standard library frames only pass the call through; site-packages under it are not stdlib.
        if filename == here or filename.startswith("<"):
            return True
        return filename.startswith(stdlib) and "-packages" + os.sep not in filename

    def stack():
        frames = []
        f = sys._getframe(2)
        while f is not None and len(frames) < 8:
            name = f.f_code.co_filename
            if not is_ours(name):
                frames.append([os.path.abspath(name), f.f_lineno])
            f = f.f_back
        return frames

    def as_path(value):
        if isinstance(value, int) or value is None:
            return None
        try:
            return os.path.abspath(os.fsdecode(value))
        except (TypeError, ValueError):
            return None

    def is_write(event, args):
        if record_all or event != "open":
            return True
        mode, flags = args[1], args[2]
        if isinstance(flags, int) and flags & write_flags:
            return True
        return isinstance(mode, str) and any(c in mode for c in "wax+")

    def hook(event, args):
        spec = watched.get(event)
        if spec is None or busy[0]:
            return
        busy[0] = True
        try:
            if not is_write(event, args):
                return
            first = as_path(args[spec[0]])
            if first is None:
                return
            second = as_path(args[spec[1]]) if spec[1] is not None else None
            line = record(event, first, second, stack())
            os.write(fd, (line + "\n").encode("utf-8", "surrogateescape"))
        except Exception:
            pass
        finally:
            busy[0] = False

    sys.addaudithook(hook)


def _rwshim_chain():
    # Run the sitecustomize we shadow (Debian ships one), under its own name. importlib.machinery
    # is already loaded; importlib.util costs ~10 ms (contextlib, collections), and its
    # module_from_spec is the bootstrap's, so that one is used where it is.
    import importlib.machinery

    here = os.path.dirname(os.path.abspath(__file__))
    rest = [p for p in sys.path if os.path.abspath(p or ".") != here]
    spec = importlib.machinery.PathFinder.find_spec("sitecustomize", rest)
    if spec is None or spec.loader is None:
        return
    try:
        from importlib._bootstrap import module_from_spec
    except ImportError:
        from importlib.util import module_from_spec
    module = module_from_spec(spec)
    sys.modules["sitecustomize"] = module
    spec.loader.exec_module(module)


try:
    _rwshim_install()
except Exception:
    pass
_rwshim_chain()
