# W4: render every template of argv[1]/templates with a FileSystemBytecodeCache in
# argv[1]/cache, writing each result to argv[1]/out/<name>.html.
import os
import sys

import jinja2

root = sys.argv[1]
env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(os.path.join(root, "templates")),
    bytecode_cache=jinja2.FileSystemBytecodeCache(os.path.join(root, "cache")),
    autoescape=True,
)
out_dir = os.path.join(root, "out")
os.makedirs(out_dir, exist_ok=True)
names = [n for n in env.list_templates() if n.startswith("page")]
items = [{"name": "item %d" % i, "price": i * 1.5, "tags": ["a", "b", "c"][: i % 4]} for i in range(40)]
for name in names:
    html = env.get_template(name).render(title=name, items=items, user={"name": "bench"})
    with open(os.path.join(out_dir, name.replace(".j2", ".html")), "w") as f:
        f.write(html)
if len(names) != 200:
    sys.exit("w4: expected 200 templates, found %d" % len(names))
