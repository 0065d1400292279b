/* trace: reading event logs, attribution from the knowledge base (data/kb, found through
 * $RWSHIM_SRC), the report, NDJSON and --suggest, on hand-written logs.
 * The trace objects are compiled in here because unit tests link only core objects. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "tap.h"

#include "trace/advise.c"
#include "trace/attribute.c"
#include "trace/classify.c"
#include "trace/events.c"
#include "trace/json_out.c"
#include "trace/knowledge.c"
#include "trace/report.c"
#include "trace/writable.c"

#define SP "/usr/lib/python3/dist-packages"

static const char log_text[] =
        "{\"ev\":\"proc\",\"pid\":10,\"ppid\":1,\"exe\":\"/usr/bin/python3.11\",\"argv\":[\"python3\",\"app.py\"]}\n"
        "{\"ev\":\"proc\",\"pid\":11,\"ppid\":10,\"exe\":\"/usr/bin/python3.11\",\"argv\":[\"python3\"]}\n"
        "{\"ev\":\"py\",\"pid\":11,\"event\":\"open\",\"path\":\"" SP "/sdk/.jinja_cache/__jinja2_a.cache\","
        "\"path2\":null,\"stack\":[[\"" SP "/jinja2/bccache.py\",254],[\"" SP "/sdk/render.py\",12]]}\n"
        "{\"ev\":\"fs\",\"pid\":11,\"op\":\"open\",\"path\":\"" SP "/sdk/.jinja_cache/__jinja2_a.cache\","
        "\"path2\":null,\"flags\":\"O_WRONLY|O_CREAT|O_TRUNC\",\"errno\":\"EACCES\",\"action\":\"denied\","
        "\"caller\":\"/usr/lib/x86_64-linux-gnu/libc.so.6\"}\n"
        "{\"ev\":\"fs\",\"pid\":10,\"op\":\"mkdir\",\"path\":\"/home/u/.config/matplotlib\",\"path2\":null,"
        "\"flags\":null,\"errno\":\"EACCES\",\"action\":\"denied\",\"caller\":null}\n"
        "{\"ev\":\"fs\",\"pid\":10,\"op\":\"open\",\"path\":\"/tmp/matplotlib-x1/fontlist.json\",\"path2\":null,"
        "\"flags\":\"O_WRONLY|O_CREAT\",\"errno\":null,\"action\":\"ok\",\"caller\":null}\n"
        "{\"ev\":\"fs\",\"pid\":10,\"op\":\"open\",\"path\":\"/etc/hosts\",\"path2\":null,"
        "\"flags\":\"O_RDONLY\",\"errno\":null,\"action\":\"ok\",\"caller\":null}\n"
        "{\"ev\":\"fs\",\"pid\":10,\"op\":\"open\",\"path\":\"/work/out/EVENTS\",\"path2\":null,"
        "\"flags\":\"O_WRONLY|O_APPEND\",\"errno\":null,\"action\":\"ok\",\"caller\":null}\n"
        "{\"ev\":\"fs\",\"pid\":10,\"op\":\"rename\",\"path\":\"/srv/st/a.tmp\",\"path2\":\"/srv/st/a.json\","
        "\"flags\":null,\"errno\":\"EROFS\",\"action\":\"denied\",\"caller\":\"/usr/lib/libstore.so.1\"}\n"
        "this line is cut off {\"ev\n";

static int log_fd(void)
{
        int fd = memfd_create("t", 0);

        if (fd < 0 || write(fd, log_text, sizeof(log_text) - 1) != (ssize_t)(sizeof(log_text) - 1))
                abort();
        return fd;
}

static char *capture(void (*fn)(FILE *, void *), void *arg)
{
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);

        fn(f, arg);
        fclose(f);
        return buf;
}

static void do_report(FILE *f, void *arg)
{
        struct trace_report_opts o = { .title = "rwshim trace", .status = 1 };
        trace_report_write(f, arg, &o);
}

static void do_json(FILE *f, void *arg) { trace_json_write(f, arg, NULL, NULL); }

static void test_read(const struct trace_log *log)
{
        is_int(log->nprocs, 2, "two process records");
        is_int(log->nevents, 5, "five fs events (the event file's own is dropped)");
        is_int(log->bad_lines, 1, "a cut-off line is skipped and counted");
        ok(log->events[0].py && log->events[0].py->nframes == 2, "event linked to its Python call");
        ok(log->events[1].py == NULL, "no Python call for another pid");
        ok(log->events[0].proc && log->events[0].proc->ppid == 10, "event linked to its process");
}

static void test_classify(const struct trace_log *log)
{
        ok(trace_event_denied(&log->events[0]), "EACCES is denied");
        ok(!trace_event_denied(&log->events[2]), "success is not denied");
        ok(trace_event_is_write(&log->events[2]), "O_CREAT open is a write");
        ok(!trace_event_is_write(&log->events[3]), "O_RDONLY open is not a write");
        ok(trace_event_is_write(&log->events[4]), "rename is a write");
}

static void test_attribution(const struct trace_log *log)
{
        char buf[64];

        is_str(log->events[0].attr.culprit, "jinja2", "Python package blamed, not libc");
        ok(log->events[0].attr.fix && strstr(log->events[0].attr.fix, "FileSystemBytecodeCache"), "jinja2 fix");
        is_str(log->events[1].attr.culprit, "matplotlib", "knowledge names matplotlib");
        ok(log->events[1].attr.fix && strstr(log->events[1].attr.fix, "MPLCONFIGDIR"), "MPLCONFIGDIR fix");
        is_str(log->events[1].attr.tool, "matplotlib", "tool from the knowledge base");
        is_str(log->events[1].attr.knob, "MPLCONFIGDIR", "the path's env var is the knob");
        is_str(log->events[2].attr.tool, "matplotlib", "matplotlib's temp fallback known by path");
        is_str(log->events[4].attr.culprit, "libstore.so.1", "calling library blamed");
        ok(log->events[4].attr.fix == NULL, "no knob known for /srv/st");
        trace_python_package("/app/store.py", buf, sizeof(buf));
        is_str(buf, "store", "app module named by file");
        trace_python_package(SP "/yaml/__init__.py", buf, sizeof(buf));
        is_str(buf, "yaml", "package under dist-packages");
}

/* Without a knowledge base, culprits are still named and nothing is attributed to a tool. */
static void test_no_knowledge(struct trace_log *log)
{
        trace_attribute_all(log, NULL);
        is_str(log->events[0].attr.culprit, "jinja2", "no knowledge base: Python package still blamed");
        is_str(log->events[1].attr.culprit, "python3.11", "no knowledge base: the program blamed");
        ok(log->events[0].attr.tool == NULL && log->events[1].attr.fix == NULL, "no knowledge base: no tool, no fix");
}

/* Paths the knowledge base knows, and the limit on shared dirs such as {tmp}. */
/* A knob only where its variable moves that very path. */
static void test_knobs(const struct trace_knowledge *kb)
{
        const char *env = NULL, *home = getenv("HOME");
        char config[4096];
        int ram = 0;

        if (!kb)
                return;
        snprintf(config, sizeof(config), "%s/.config", home && strcmp(home, "/") != 0 ? home : "");
        ok(!home || getenv("XDG_CONFIG_HOME") ||
           (trace_knowledge_knob(kb, "matplotlib", config, &env, &ram) == 1 && strcmp(env, "MPLCONFIGDIR") == 0),
           "mkdir ~/.config on the way to ~/.config/matplotlib: MPLCONFIGDIR");
        ok(trace_knowledge_knob(kb, "matplotlib", "/tmp/matplotlib-ab12/fontlist.json", &env, &ram) == 1 && ram,
           "inside a {tmp}/matplotlib-* instance: MPLCONFIGDIR, RAM ok");
        ok(trace_knowledge_knob(kb, "matplotlib", "/tmp/x1y2z3", &env, &ram) == 0,
           "tempfile's probe in /tmp is not matplotlib's dir");
        ok(trace_knowledge_knob(kb, "jinja2", SP "/sdk/prompts/.jinja_cache", &env, &ram) == 0,
           "an explicit jinja2 cache dir: TMPDIR does not move it");
        ok(trace_knowledge_knob(kb, "no_such_tool", "/tmp/x", &env, &ram) == 0, "unknown tool: no knob");
}

static void test_paths(const struct trace_knowledge *kb)
{
        struct trace_knowledge_entry k;

        ok(trace_knowledge_path(kb, "/srv/app/__pycache__/m.cpython-311.pyc", &k) == 1 &&
           strcmp(k.knob, "PYTHONPYCACHEPREFIX") == 0, "__pycache__: python-bytecode, PYTHONPYCACHEPREFIX");
        ok(trace_knowledge_path(kb, "/tmp/x", &k) == 1 && strcmp(k.knob, "TMPDIR") == 0,
           "a temp file follows TMPDIR");
        ok(trace_knowledge_path(kb, "/tmp/app/state/db", &k) == 0, "a fixed tree under /tmp does not");
        ok(trace_knowledge_tool(kb, "jinja2", NULL, &k) == 1 &&
           strstr(k.knob, "FileSystemBytecodeCache") != NULL, "a tool without the path: its first setting");
        ok(trace_knowledge_tool(kb, "no_such_package", NULL, &k) == 0, "unknown package");
        ok(trace_knowledge_path(NULL, "/tmp/x", &k) == 0, "no knowledge base: nothing known");
        test_knobs(kb);
}

static void test_report(struct trace_log *log)
{
        char *r = capture(do_report, log);
        char *refused = strstr(r, "REFUSED"), *writes = strstr(r, "WRITES");

        ok(refused && writes && refused < writes, "refused listed before writes");
        ok(strstr(r, "jinja2: " SP "/sdk/.jinja_cache/") != NULL, "grouped by culprit and directory");
        ok(strstr(r, "at jinja2/bccache.py:254, called from sdk/render.py:12") != NULL, "Python lines");
        ok(strstr(r, "effect: fell back to /tmp/matplotlib-x1/") != NULL, "fallback detected");
        ok(strstr(r, "fix: mount a writable dir at /srv/st (mount, inferred") != NULL, "no knob: a mount where nothing is hidden");
        ok(strstr(r, "caller: /usr/lib/libstore.so.1") != NULL, "caller shown");
        ok(strstr(r, "/etc") == NULL, "reads left out of the report");
        ok(strstr(r, "the command exited with status 1") != NULL, "status in summary");
        if (tap_failed)
                printf("# report:\n%s", r);
        free(r);
}

static void test_json(struct trace_log *log)
{
        char *out = capture(do_json, log), *line = strtok(out, "\n");
        int n = 0, good = 1;

        for (; line; line = strtok(NULL, "\n"), n++) {
                json_t *o = json_loads(line, 0, NULL);
                good &= o && json_is_string(json_object_get(o, "ev")) &&
                        strcmp(json_string_value(json_object_get(o, "ev")), "fs") == 0 &&
                        json_is_integer(json_object_get(o, "pid")) && json_object_get(o, "errno") &&
                        json_is_string(json_object_get(o, "path")) && json_object_get(o, "exe");
                if (n == 0)
                        good &= json_is_string(json_object_get(o, "fix")) &&
                                json_array_size(json_object_get(o, "python")) == 2;
                json_decref(o);
        }
        is_int(n, 5, "one NDJSON line per event");
        ok(good, "each line parses and carries ev:fs, pid, exe, op, path, errno (+ fix, python)");
        free(out);
}

static void test_suggest(const struct trace_log *log)
{
        const char *set[] = { "/tmp" };
        struct trace_writable w = { set, 1 };
        char **mounts, **existing;
        long n = trace_suggest(log, &w, &mounts, &existing);

        is_int(n, 3, "three dirs suggested");
        is_str(n > 0 ? mounts[0] : NULL, SP "/sdk/.jinja_cache", "cache dir");
        is_str(n > 1 ? mounts[1] : NULL, "/home/u/.config/matplotlib", "a dir being created is its own mount");
        is_str(n > 1 ? existing[1] : NULL, "/home", "nearest existing ancestor for --writable");
        is_str(n > 2 ? mounts[2] : NULL, "/srv/st", "rename dir");
        trace_suggest_free(mounts, n);
        trace_suggest_free(existing, n);
        ok(trace_path_beneath("/tmp/x", "/tmp") && trace_path_beneath("/tmp", "/tmp/"), "beneath");
        ok(!trace_path_beneath("/tmpx", "/tmp") && trace_path_beneath("/a", "/"), "not beneath by prefix");
}

int main(void)
{
        struct trace_log log;
        struct rw_err e;
        const char *ignore[] = { "/work/out/EVENTS", NULL };
        int fd = log_fd(), r = trace_log_read_fd(&log, fd, ignore, &e);
        struct trace_knowledge *kb = NULL;
        const char *src = getenv("RWSHIM_SRC");
        char dir[4096];

        ok(r == 0, "log read");
        snprintf(dir, sizeof(dir), "%s/data", src ? src : ".");
        r = trace_knowledge_load(dir, &kb, &e);   /* ok() evaluates its condition twice */
        ok(r == 0, "knowledge base loaded from %s", dir);
        test_no_knowledge(&log);
        trace_attribute_all(&log, kb);
        test_read(&log);
        test_classify(&log);
        test_attribution(&log);
        test_report(&log);
        test_json(&log);
        test_suggest(&log);
        test_paths(kb);
        trace_log_free(&log);
        trace_knowledge_free(kb);
        close(fd);
        return tap_done();
}
