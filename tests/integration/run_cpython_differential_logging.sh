# CPython's own tests of logging (file, rotating, socket and syslog handlers) as a differential
# oracle: a test case that passes natively and fails under rwshim run (every write redirected)
# fails this test. See cpython/differential.sh.
modules="test_logging"
. "$(dirname "$0")/cpython/differential.sh"
