# Shared by the tests of the files the C library reads by itself (passwd, group, hosts,
# localtime): probe programs that are not glibc-dynamic, so their own code reads the files
# (through the static backend under run). Source after lib.sh.

# go_probe: $T/go/probe, a pure-Go (CGO_ENABLED=0, static) program printing its user, group,
# the addresses of $1 (pure-Go resolver) and the local zone. Returns 1 where go is missing.
go_probe() {
  command -v go >/dev/null 2>&1 || return 1
  mkdir -p "$T/go"
  cat > "$T/go/main.go" <<'GO'
package main

import (
	"fmt"
	"net"
	"os"
	"os/user"
	"time"
)

func main() {
	if u, err := user.Current(); err == nil {
		fmt.Printf("user %s home %s\n", u.Username, u.HomeDir)
	} else {
		fmt.Println("user error:", err)
	}
	if g, err := user.LookupGroupId(fmt.Sprint(os.Getgid())); err == nil {
		fmt.Println("group", g.Name)
	} else {
		fmt.Println("group error:", err)
	}
	if len(os.Args) > 1 {
		addrs, err := net.LookupHost(os.Args[1])
		fmt.Println("host", addrs, err)
	}
	fmt.Println("zone", time.Now().Format("MST"))
}
GO
  (cd "$T/go" && printf 'module probe\n\ngo 1.19\n' > go.mod &&
    CGO_ENABLED=0 GOFLAGS=-mod=mod go build -o probe . ) >"$T/go/build.log" 2>&1 || { cat "$T/go/build.log"; return 1; }
  chmod -R a+rX "$T/go"
}

# musl_probe: $T/musl/probe, a static musl C program printing the same through musl's own
# getpwuid, getgrgid, gethostbyname and strftime, and $T/musl/probe-dyn, the same dynamically
# linked, when the musl preload is built (then the musl preload serves it, else it is not
# built). Returns 1 where musl-gcc is missing.
musl_probe() {
  command -v musl-gcc >/dev/null 2>&1 || return 1
  mkdir -p "$T/musl"
  cat > "$T/musl/probe.c" <<'C'
#include <grp.h>
#include <netdb.h>
#include <arpa/inet.h>
#include <pwd.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
        struct passwd *pw = getpwuid(getuid());
        struct group *gr = getgrgid(getgid());
        char zone[64];
        time_t now = time(NULL);

        printf("user %s home %s\n", pw ? pw->pw_name : "(none)", pw ? pw->pw_dir : "");
        printf("group %s\n", gr ? gr->gr_name : "(none)");
        if (argc > 1) {
                struct hostent *h = gethostbyname(argv[1]);
                char a[INET_ADDRSTRLEN] = "(none)";
                if (h && h->h_addr_list[0])
                        inet_ntop(AF_INET, h->h_addr_list[0], a, sizeof(a));
                printf("host %s\n", a);
        }
        strftime(zone, sizeof(zone), "%Z", localtime(&now));
        printf("zone %s\n", zone);
        return 0;
}
C
  musl-gcc -static -O1 -o "$T/musl/probe" "$T/musl/probe.c" || return 1
  if [ -f "$T/lib/rwshim/librwshim-musl.so" ]; then
    musl-gcc -O1 -o "$T/musl/probe-dyn" "$T/musl/probe.c" || return 1
  fi
  chmod -R a+rX "$T/musl"
}

# musl_probes: the musl probes to run, static and (with the musl preload) dynamic.
musl_probes() {
  echo "$T/musl/probe"
  [ -x "$T/musl/probe-dyn" ] && echo "$T/musl/probe-dyn"
  [ -x "$T/musl/probe-dyn" ] || note "no musl preload built: the dynamic musl program is not run" >&2
}

# runs_under_asan CMD...: false when the suite is sanitized and CMD cannot even run with the
# ASan runtime preloaded, without rwshim (curl and PostgreSQL 15 on Debian 12 hang in their
# first setlocale): such a program cannot be tested with the sanitized preload.
runs_under_asan() {
  [ "${RWSHIM_SANITIZED:-0}" = 1 ] || return 0
  timeout 10 "$@" >/dev/null 2>&1 </dev/null && return 0
  note "$1 does not run with the ASan runtime preloaded, even without rwshim: part skipped"
  return 1
}
