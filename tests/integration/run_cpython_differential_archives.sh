# CPython's own tests of zipfile, tarfile and py_compile as a differential oracle: a
# test case that passes natively and fails under rwshim run (every write redirected) fails this
# test. See cpython/differential.sh.
modules="test_zipfile test_tarfile test_py_compile"
. "$(dirname "$0")/cpython/differential.sh"
