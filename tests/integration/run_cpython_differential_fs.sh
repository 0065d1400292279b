# CPython's own tests of os, shutil, tempfile, pathlib, posix, posixpath, glob, fileio, sqlite3,
# dbm.dumb, fileinput, filecmp and mailbox as a differential oracle: a test case that passes
# natively and fails under rwshim run (every write redirected) fails this test. See
# cpython/differential.sh.
modules="test_os test_shutil test_tempfile test_pathlib test_posix test_posixpath test_glob test_fileio
  test_sqlite3 test_dbm_dumb test_fileinput test_filecmp test_mailbox"
. "$(dirname "$0")/cpython/differential.sh"
