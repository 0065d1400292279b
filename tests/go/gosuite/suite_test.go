package gosuite

import (
	"bytes"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
)

// chdir moves into dir for the rest of the test.
func chdir(t *testing.T, dir string) {
	t.Helper()
	old, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chdir(old) })
}

func TestTempDirChdir(t *testing.T) {
	dir := t.TempDir()
	chdir(t, dir)
	wd, err := os.Getwd()
	if err != nil || wd != dir {
		t.Fatalf("getwd %q %v, want %q", wd, err, dir)
	}
	if err := os.WriteFile("a.txt", []byte("a"), 0o644); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "a.txt"))
	if err != nil || string(b) != "a" {
		t.Fatalf("read back %q %v", b, err)
	}
}

func TestRenameLinkSymlink(t *testing.T) {
	chdir(t, t.TempDir())
	os.WriteFile("f", []byte("x"), 0o600)
	if err := os.Mkdir("d", 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename("f", "d/g"); err != nil {
		t.Fatal(err)
	}
	if err := os.Link("d/g", "h"); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("d", "s"); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat("h"); err != nil || st.Sys().(*syscall.Stat_t).Nlink != 2 {
		t.Fatalf("hard link: %v %v", st, err)
	}
	if st, err := os.Lstat("s/"); err != nil || !st.IsDir() {
		t.Fatalf("lstat s/: %v %v", st, err)
	}
	if _, err := os.Lstat("h/"); err == nil {
		t.Fatal("h/ is a file, not a directory")
	}
	if target, err := os.Readlink("s"); err != nil || target != "d" {
		t.Fatalf("readlink %q %v", target, err)
	}
	if b, err := os.ReadFile("s/g"); err != nil || string(b) != "x" {
		t.Fatalf("through symlink %q %v", b, err)
	}
}

func TestWalkAndRemove(t *testing.T) {
	root := filepath.Join(t.TempDir(), "tree")
	for _, p := range []string{"a/b/c", "a/d", "e"} {
		if err := os.MkdirAll(filepath.Join(root, p), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(filepath.Join(root, "a/b/c/f"), nil, 0o644)
	got, err := Tree(root)
	want := []string{".", "a", "a/b", "a/b/c", "a/b/c/f", "a/d", "e"}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("tree %v %v", got, err)
	}
	chdir(t, filepath.Join(root, "a"))
	if n, err := Names("."); err != nil || !reflect.DeepEqual(n, []string{"b", "d"}) {
		t.Fatalf("names %v %v", n, err)
	}
	if n, err := Names(".."); err != nil || !reflect.DeepEqual(n, []string{"a", "e"}) {
		t.Fatalf("names .. %v %v", n, err)
	}
	if err := os.RemoveAll("b"); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(root); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(root); !os.IsNotExist(err) {
		t.Fatalf("still there: %v", err)
	}
}

func TestCreateTemp(t *testing.T) {
	f, err := os.CreateTemp("", "suite")
	if err != nil {
		t.Fatal(err)
	}
	defer os.Remove(f.Name())
	f.WriteString("temp")
	f.Close()
	if b, _ := os.ReadFile(f.Name()); string(b) != "temp" {
		t.Fatalf("read %q", b)
	}
}

// TestHelperProcess is the program the exec tests run (a copy of this test binary).
func TestHelperProcess(t *testing.T) {
	if os.Getenv("SUITE_HELPER") != "1" {
		t.Skip("run by the exec tests")
	}
	wd, _ := os.Getwd()
	b, err := os.ReadFile("input")
	os.Stdout.WriteString(filepath.Base(wd) + ":" + string(b))
	if err != nil {
		os.Exit(2)
	}
	os.Exit(0)
}

func TestExecBuiltProgram(t *testing.T) {
	dir := t.TempDir()
	chdir(t, dir)
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.Open(self)
	if err != nil {
		t.Fatal(err)
	}
	dst, err := os.OpenFile("prog.test", os.O_CREATE|os.O_WRONLY, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(dst, src)
	src.Close()
	dst.Close()
	os.WriteFile("input", []byte("in"), 0o644)
	for _, p := range []string{"./prog.test", filepath.Join(dir, "prog.test")} {
		cmd := exec.Command(p, "-test.run=TestHelperProcess")
		cmd.Env = append(os.Environ(), "SUITE_HELPER=1")
		out, err := cmd.CombinedOutput()
		if err != nil || string(out) != filepath.Base(dir)+":in" {
			t.Fatalf("%s: %q %v", p, out, err)
		}
	}
	cmd := exec.Command("sh", "-c", "pwd; cat input")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil || string(out) != dir+"\nin" {
		t.Fatalf("sh with Dir: %q %v", out, err)
	}
}

func TestFifo(t *testing.T) {
	chdir(t, t.TempDir())
	if err := syscall.Mkfifo("p", 0o600); err != nil {
		t.Fatal(err)
	}
	go func() {
		w, err := os.OpenFile("p", os.O_WRONLY, 0)
		if err == nil {
			w.WriteString("fifo data")
			w.Close()
		}
	}()
	b, err := os.ReadFile("p")
	if err != nil || string(b) != "fifo data" {
		t.Fatalf("fifo %q %v", b, err)
	}
}

func TestUnixSocket(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "s.sock")
	l, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	if got := l.Addr().String(); got != path {
		t.Fatalf("listener address %q, want %q", got, path)
	}
	go func() {
		c, err := l.Accept()
		if err == nil {
			c.Write([]byte("hello"))
			c.Close()
		}
	}()
	c, err := net.Dial("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.RemoteAddr().String(); got != path {
		t.Fatalf("peer address %q, want %q", got, path)
	}
	var buf bytes.Buffer
	io.Copy(&buf, c)
	c.Close()
	if buf.String() != "hello" {
		t.Fatalf("got %q", buf.String())
	}
	if st, err := os.Lstat(path); err != nil || st.Mode()&os.ModeSocket == 0 {
		t.Fatalf("socket file: %v %v", st, err)
	}
	l.Close() // removes the socket file
	if _, err := os.Lstat(path); !os.IsNotExist(err) {
		t.Fatalf("socket file after Close: %v", err)
	}
}

func TestEnvAndCommandDir(t *testing.T) {
	dir := t.TempDir()
	os.Mkdir(filepath.Join(dir, "w"), 0o755)
	cmd := exec.Command("/bin/sh", "-c", "echo made > out && cat out")
	cmd.Dir = filepath.Join(dir, "w")
	out, err := cmd.CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "made" {
		t.Fatalf("%q %v", out, err)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "w", "out")); err != nil || string(b) != "made\n" {
		t.Fatalf("read %q %v", b, err)
	}
}
