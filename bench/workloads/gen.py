# Generates the bench inputs: gen.py tree DIR N (N small files, 100 per dir),
# gen.py tarball FILE N [PER_DIR] (a tar of N small files under x/, PER_DIR a dir, default 100),
# gen.py templates DIR (200 Jinja2 pages).
import os
import random
import sys
import tarfile
import io


def content(i):
    rnd = random.Random(i)
    return ("line %d %s\n" % (i, "x" * rnd.randint(10, 90))) * rnd.randint(1, 20)


def tree(root, n):
    for i in range(n):
        d = os.path.join(root, "d%03d" % (i // 100))
        if i % 100 == 0:
            os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "f%05d.txt" % i), "w") as f:
            f.write(content(i))


def tarball(path, n, per_dir=100):
    width = max(5, len(str(n - 1)))   # W3's names (f09999.txt) stay as they were
    with tarfile.open(path, "w", format=tarfile.GNU_FORMAT) as t:
        for i in range(n):
            data = content(i).encode()
            info = tarfile.TarInfo("x/d%03d/f%0*d.txt" % (i // per_dir, width, i))
            info.size = len(data)
            info.mode = 0o644
            info.mtime = 1700000000
            t.addfile(info, io.BytesIO(data))


BASE = """<!doctype html><html><head><title>{% block title %}{% endblock %}</title></head>
<body>{% import "macros.j2" as m %}<h1>{{ self.title() }}</h1>{% block body %}{% endblock %}
<footer>{{ m.user_badge(user) }}</footer></body></html>
"""
MACROS = """{% macro user_badge(u) %}<span class="user">{{ u.name|title }}</span>{% endmacro %}
{% macro row(it, loop) %}<tr class="{{ loop.cycle('odd', 'even') }}"><td>{{ it.name }}</td>
<td>{{ '%.2f'|format(it.price) }}</td><td>{{ it.tags|join(', ') or '-' }}</td></tr>{% endmacro %}
"""
PAGE = """{%% extends "base.j2" %%}{%% import "macros.j2" as m %%}
{%% block title %%}Page %(i)d: {{ title }}{%% endblock %%}
{%% block body %%}<p>Page %(i)d of the benchmark.</p>
{%% set total = items|sum(attribute='price') %%}<p>Total {{ '%%.2f'|format(total) }}</p>
<table>{%% for it in items if it.price > %(i)d %% 7 %%}{{ m.row(it, loop) }}{%% endfor %%}</table>
{%% for k in range(%(k)d) %%}{%% if k is even %%}<i>{{ k }}</i>{%% else %%}<b>{{ k * 2 }}</b>{%% endif %%}{%% endfor %%}
{%% endblock %%}
"""


def templates(root):
    os.makedirs(root, exist_ok=True)
    with open(os.path.join(root, "base.j2"), "w") as f:
        f.write(BASE)
    with open(os.path.join(root, "macros.j2"), "w") as f:
        f.write(MACROS)
    for i in range(200):
        with open(os.path.join(root, "page%03d.j2" % i), "w") as f:
            f.write(PAGE % {"i": i, "k": i % 13 + 3})


if __name__ == "__main__":
    kind = sys.argv[1]
    if kind == "tree":
        tree(sys.argv[2], int(sys.argv[3]))
    elif kind == "tarball":
        tarball(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]) if len(sys.argv) > 4 else 100)
    elif kind == "templates":
        templates(sys.argv[2])
    else:
        sys.exit("gen.py: unknown kind " + kind)
