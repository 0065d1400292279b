/* Unit tests for preload/nss_parse.c: the passwd, group, shadow and hosts lines libc's files
 * module reads, as the preload parses them from the merged copy. The parser links no engine
 * state, so its source is compiled in here. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "preload/nss_parse.c"
#include "tap.h"

#define LINE(s) s, strlen(s)

static void test_passwd(void)
{
        struct passwd pw;
        char buf[256], tiny[8];

        is_int(nss_parse_passwd(LINE("app:x:4242:0:App,,,:/home/app:/bin/sh\r"), &pw, buf, sizeof(buf)), 0, "passwd line");
        is_str(pw.pw_name, "app", "name");
        is_int(pw.pw_uid, 4242, "uid");
        is_int(pw.pw_gid, 0, "gid");
        is_str(pw.pw_gecos, "App,,,", "gecos");
        is_str(pw.pw_dir, "/home/app", "home");
        is_str(pw.pw_shell, "/bin/sh", "shell, without a CR");
        is_int(nss_parse_passwd(LINE("app:x::0::/h:/bin/sh"), &pw, buf, sizeof(buf)), -EINVAL, "empty uid is malformed");
        is_int(nss_parse_passwd(LINE("app:x:12a:0::/h:/bin/sh"), &pw, buf, sizeof(buf)), -EINVAL, "non-numeric uid");
        is_int(nss_parse_passwd(LINE("app:x:1:0::/h"), &pw, buf, sizeof(buf)), -EINVAL, "six fields");
        is_int(nss_parse_passwd(LINE("app:x:1:0::/h:/bin/sh:extra"), &pw, buf, sizeof(buf)), -EINVAL, "eight fields");
        is_int(nss_parse_passwd(LINE("app:x:99999999999:0::/h:/bin/sh"), &pw, buf, sizeof(buf)), -EINVAL, "uid beyond 32 bits");
        is_int(nss_parse_passwd(LINE("# app:x:1:0::/h:/bin/sh"), &pw, buf, sizeof(buf)), -EINVAL, "comment");
        is_int(nss_parse_passwd(LINE("+nis::::::"), &pw, buf, sizeof(buf)), -EINVAL, "NIS compat line");
        is_int(nss_parse_passwd(LINE("app:x:1:0::/h:/bin/sh"), &pw, tiny, sizeof(tiny)), -ERANGE, "small buffer: ERANGE");
        ok(nss_field_is_id(LINE("app:x:4242:0::/h:/bin/sh"), 2, 4242), "uid field matches");
        ok(!nss_field_is_id(LINE("app:x:42420:0::/h:/bin/sh"), 2, 4242), "a longer uid does not");
        ok(nss_field_is(LINE("app:x:1:0::/h:/bin/sh"), 0, "app"), "name field matches");
        ok(!nss_field_is(LINE("apple:x:1:0::/h:/bin/sh"), 0, "app"), "a longer name does not");
}

static void test_group(void)
{
        struct group gr;
        char buf[256];

        is_int(nss_parse_group(LINE("dev:x:100:alice,bob"), &gr, buf, sizeof(buf)), 0, "group line");
        is_str(gr.gr_name, "dev", "group name");
        is_int(gr.gr_gid, 100, "gid");
        is_str(gr.gr_mem[0], "alice", "first member");
        is_str(gr.gr_mem[1], "bob", "second member");
        ok(gr.gr_mem[2] == NULL, "member list ends");
        is_int(nss_parse_group(LINE("empty:x:101:"), &gr, buf, sizeof(buf)), 0, "group without members");
        ok(gr.gr_mem[0] == NULL, "no members");
        ok(nss_group_has_member(LINE("dev:x:100:alice,bob"), "bob"), "bob is a member");
        ok(!nss_group_has_member(LINE("dev:x:100:alice,bobby"), "bob"), "bobby is not bob");
        ok(!nss_group_has_member(LINE("dev:x:100:"), "bob"), "no members at all");
        /* The pointer array must fit too: 18 bytes of strings leave no room for it. */
        is_int(nss_parse_group(LINE("dev:x:100:alice,bob"), &gr, buf, 24), -ERANGE, "room for strings, not pointers");
}

static void test_shadow(void)
{
        struct spwd sp;
        char buf[256];

        is_int(nss_parse_shadow(LINE("app:$6$s$h:19000:0:99999:7:::"), &sp, buf, sizeof(buf)), 0, "shadow line");
        is_str(sp.sp_pwdp, "$6$s$h", "hash");
        is_int(sp.sp_lstchg, 19000, "last change");
        is_int(sp.sp_inact, -1, "empty field is -1");
}

static void test_hosts(void)
{
        struct nss_host_line h;

        is_int(nss_parse_host_line(LINE("10.0.0.5\tdb  db.local # the database"), &h), 0, "hosts line");
        is_int(h.family, AF_INET, "IPv4");
        is_int(h.n_names, 2, "two names, comment dropped");
        ok(nss_host_has_name(&h, "DB.local"), "names compare without case");
        ok(nss_host_has_name(&h, "db."), "a trailing dot is the same name");
        ok(!nss_host_has_name(&h, "d"), "a prefix is not a name");
        is_int(nss_parse_host_line(LINE("fe80::1%eth0 x"), &h), -EINVAL, "scoped address: left to libc");
        is_int(nss_parse_host_line(LINE("::1 localhost6"), &h), 0, "IPv6 line");
        is_int(h.family, AF_INET6, "IPv6");
        is_int(nss_parse_host_line(LINE("10.0.0.5"), &h), -EINVAL, "address without a name");
        is_int(nss_parse_host_line(LINE("   # only a comment"), &h), -EINVAL, "comment line");
}

int main(void)
{
        test_passwd();
        test_group();
        test_shadow();
        test_hosts();
        return tap_done();
}
