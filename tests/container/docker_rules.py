#!/usr/bin/env python3
"""Writes a seccomp profile with Docker's (and containerd's RuntimeDefault) default rules, as
issue 15 lists them, for testing rwshim under them with `podman --security-opt seccomp=FILE`.

The list of ordinary system calls is taken from the engine's profile installed on this machine
(podman's /usr/share/containers/seccomp.json, argv[1]); this script then applies the rules in
which Docker's default differs from it:
  - anything unlisted fails with EPERM (podman: ENOSYS);
  - io_uring_* are not listed (so EPERM);
  - pidfd_getfd only with CAP_SYS_PTRACE;
  - unshare, setns, mount and umount only with CAP_SYS_ADMIN;
  - clone with a namespace flag only with CAP_SYS_ADMIN;
  - clone3 fails with ENOSYS without CAP_SYS_ADMIN (so libcs fall back to clone);
  - seccomp, ioctl, prctl, openat2, landlock_*, ptrace and process_vm_readv stay allowed.
Usage: docker_rules.py INSTALLED_PROFILE OUT
"""
import json
import sys

EPERM, ENOSYS = 1, 38
# CLONE_NEWNS|CLONE_NEWCGROUP|CLONE_NEWUTS|CLONE_NEWIPC|CLONE_NEWUSER|CLONE_NEWPID|CLONE_NEWNET
CLONE_NS_FLAGS = 0x7E020000
ADMIN_ONLY = {"unshare", "setns", "mount", "umount", "umount2", "clone", "clone3"}
PTRACE_ONLY = {"pidfd_getfd"}
REQUIRED = {"seccomp", "ioctl", "prctl", "openat2", "landlock_create_ruleset",
            "landlock_add_rule", "landlock_restrict_self", "ptrace", "process_vm_readv"}


def restrict(profile):
    """Removes the calls Docker allows only conditionally from every unconditional rule."""
    removed = ADMIN_ONLY | PTRACE_ONLY
    for rule in profile["syscalls"]:
        unconditional = not rule.get("args") and not rule.get("includes")
        if rule["action"] == "SCMP_ACT_ALLOW" and unconditional:
            rule["names"] = [n for n in rule["names"]
                             if n not in removed and not n.startswith("io_uring")]
    profile["syscalls"] = [r for r in profile["syscalls"] if r["names"]]


def docker_rules():
    admin = {"caps": ["CAP_SYS_ADMIN"]}
    return [
        {"names": sorted(ADMIN_ONLY), "action": "SCMP_ACT_ALLOW", "includes": admin},
        {"names": ["clone"], "action": "SCMP_ACT_ALLOW", "excludes": admin,
         "args": [{"index": 0, "value": CLONE_NS_FLAGS, "valueTwo": 0, "op": "SCMP_CMP_MASKED_EQ"}]},
        {"names": ["clone3"], "action": "SCMP_ACT_ERRNO", "errnoRet": ENOSYS, "excludes": admin},
        {"names": sorted(PTRACE_ONLY), "action": "SCMP_ACT_ALLOW",
         "includes": {"caps": ["CAP_SYS_PTRACE"]}},
    ]


def allowed(profile):
    return {n for r in profile["syscalls"] if r["action"] == "SCMP_ACT_ALLOW"
            and not r.get("args") and not r.get("includes") for n in r["names"]}


def main():
    profile = json.load(open(sys.argv[1]))
    missing = REQUIRED - allowed(profile)
    if missing:
        sys.exit("docker_rules.py: %s does not allow %s" % (sys.argv[1], ", ".join(sorted(missing))))
    restrict(profile)
    profile["defaultAction"] = "SCMP_ACT_ERRNO"
    profile["defaultErrnoRet"] = EPERM
    profile.pop("defaultErrno", None)
    profile["syscalls"] = docker_rules() + profile["syscalls"]
    json.dump(profile, open(sys.argv[2], "w"), indent=1)


main()
