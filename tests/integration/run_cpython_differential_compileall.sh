# CPython's own tests of compileall (byte-compiling trees, with worker processes) as a
# differential oracle: a test case that passes natively and fails under rwshim run (every write
# redirected) fails this test. See cpython/differential.sh.
modules="test_compileall"
. "$(dirname "$0")/cpython/differential.sh"
