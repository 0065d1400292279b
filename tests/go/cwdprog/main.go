// cwdprog: what a Go build tool does in its temp dir, one step per line of output, so a test
// can compare a native run with one under rwshim. Each step prints "name ok" or "name FAIL: err".
package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
)

func step(name string, err error) bool {
	if err != nil {
		fmt.Printf("%s FAIL: %v\n", name, err)
		return false
	}
	fmt.Printf("%s ok\n", name)
	return true
}

func main() {
	self, _ := os.Executable()
	if len(os.Args) > 1 && os.Args[1] == "child" {
		wd, err := os.Getwd()
		if err != nil {
			fmt.Println("child getwd:", err)
			os.Exit(3)
		}
		b, err := os.ReadFile("hello.txt")
		fmt.Printf("child wd=%s read=%q err=%v\n", filepath.Base(wd), b, err)
		os.Exit(0)
	}
	dir, err := os.MkdirTemp("", "cwdprog")
	if !step("mkdirtemp", err) {
		os.Exit(1)
	}
	if !step("chdir", os.Chdir(dir)) {
		os.Exit(1)
	}
	wd, err := os.Getwd()
	if err == nil && wd != dir {
		err = fmt.Errorf("getwd %s, want %s", wd, dir)
	}
	step("getwd", err)
	step("create", os.WriteFile("hello.txt", []byte("hi"), 0644))
	step("mkdir", os.Mkdir("sub", 0755))
	step("rename", os.Rename("hello.txt", "sub/moved.txt"))
	step("link", os.Link("sub/moved.txt", "hello.txt"))
	step("symlink", os.Symlink("sub", "lnk"))
	st, err := os.Stat("lnk/")
	if err == nil && !st.IsDir() {
		err = fmt.Errorf("lnk/ is not a directory")
	}
	step("stat-trailing-slash", err)
	_, err = os.Lstat("hello.txt/")
	if err == nil {
		err = fmt.Errorf("hello.txt/ should fail")
	} else if strings.Contains(err.Error(), "not a directory") {
		err = nil
	}
	step("lstat-file-slash", err)
	ents, err := os.ReadDir(".")
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	if err == nil && strings.Join(names, ",") != "hello.txt,lnk,sub" {
		err = fmt.Errorf("readdir: %v", names)
	}
	step("readdir", err)
	var walked []string
	err = filepath.Walk(".", func(p string, info os.FileInfo, err error) error {
		if err == nil {
			walked = append(walked, p)
		}
		return err
	})
	if err == nil && strings.Join(walked, ",") != ".,hello.txt,lnk,sub,sub/moved.txt" {
		err = fmt.Errorf("walk: %v", walked)
	}
	step("walk", err)
	step("mkfifo", syscall.Mkfifo("fifo", 0644))
	if st, err := os.Lstat("fifo"); err == nil && st.Mode()&os.ModeNamedPipe == 0 {
		step("fifo-type", fmt.Errorf("fifo is %v", st.Mode()))
	}
	done := make(chan error, 1)
	go func() {
		w, err := os.OpenFile("fifo", os.O_WRONLY, 0)
		if err == nil {
			_, err = w.Write([]byte("through the fifo"))
			w.Close()
		}
		done <- err
	}()
	got, err := os.ReadFile("fifo")
	if werr := <-done; err == nil {
		err = werr
	}
	if err == nil && string(got) != "through the fifo" {
		err = fmt.Errorf("fifo read %q", got)
	}
	step("fifo-io", err)
	// The same FIFO by its absolute path from a cwd elsewhere: both blocking opens wait for
	// each other, as natively.
	step("chdir-root", os.Chdir("/"))
	abs := filepath.Join(dir, "fifo")
	go func() {
		w, err := os.OpenFile(abs, os.O_WRONLY, 0)
		if err == nil {
			_, err = w.Write([]byte("by absolute path"))
			w.Close()
		}
		done <- err
	}()
	got, err = os.ReadFile(abs)
	if werr := <-done; err == nil {
		err = werr
	}
	if err == nil && string(got) != "by absolute path" {
		err = fmt.Errorf("fifo read %q", got)
	}
	step("fifo-abs", err)
	step("chdir-dir", os.Chdir(dir))
	step("chdir-relative", os.Chdir("sub"))
	wd, err = os.Getwd()
	if err == nil && wd != filepath.Join(dir, "sub") {
		err = fmt.Errorf("getwd %s", wd)
	}
	step("getwd-sub", err)
	_, err = os.Stat("moved.txt")
	step("stat-in-sub", err)
	step("chdir-back", os.Chdir(dir))
	step("write-script", os.WriteFile("script.sh", []byte("#!/bin/sh\necho script ran in $(basename \"$(pwd)\")\n"), 0755))
	out, err := exec.Command(filepath.Join(dir, "script.sh")).CombinedOutput()
	if err == nil && string(out) != "script ran in "+filepath.Base(dir)+"\n" {
		err = fmt.Errorf("script said %q", out)
	}
	step("exec-script", err)
	// A program written here, then run (a build tool running what it built).
	b, err := os.ReadFile(self)
	if err == nil {
		err = os.WriteFile("built.exe", b, 0755)
	}
	step("write-exe", err)
	out, err = exec.Command("./built.exe", "child").CombinedOutput()
	if err == nil && !strings.Contains(string(out), "child wd="+filepath.Base(dir)+` read="hi"`) {
		err = fmt.Errorf("child said %q", out)
	}
	step("exec-relative", err)
	out, err = exec.Command(filepath.Join(dir, "built.exe"), "child").CombinedOutput()
	if err == nil && !strings.Contains(string(out), "child wd=") {
		err = fmt.Errorf("child said %q", out)
	}
	step("exec-absolute", err)
	out, err = exec.Command("sh", "-c", "pwd; cat hello.txt").CombinedOutput()
	if err == nil && string(out) != dir+"\nhi" {
		err = fmt.Errorf("sh said %q", out)
	}
	step("exec-dynamic-cwd", err)
	step("chdir-up", os.Chdir(".."))
	step("removeall", os.RemoveAll(dir))
	if _, err := os.Stat(dir); err == nil {
		step("gone", fmt.Errorf("%s still exists", dir))
	}
}
