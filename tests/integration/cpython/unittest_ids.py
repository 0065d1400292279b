"""Runs unittest modules and prints one machine-readable line per test case on the original
stdout: 'RWSHIM-RESULT <status> <test id>', status one of ok, fail, skip.

The differential harness compares these lines between a native run and a run under rwshim;
a test that prints to stdout itself cannot be mistaken for a result (the marker starts a line).
Usage: python3 unittest_ids.py MODULE..."""
import os
import sys
import unittest

out = os.fdopen(os.dup(1), "w", buffering=1)


class IdResult(unittest.TextTestResult):
    def startTest(self, test):
        self._rw_status = "ok"
        super().startTest(test)

    def _mark(self, status):
        self._rw_status = status

    def addError(self, test, err):
        super().addError(test, err)
        self._mark("fail")

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._mark("fail")

    def addSubTest(self, test, subtest, err):
        super().addSubTest(test, subtest, err)
        if err is not None:
            self._mark("fail")

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self._mark("skip")

    def addExpectedFailure(self, test, err):
        super().addExpectedFailure(test, err)
        self._mark("ok")

    def addUnexpectedSuccess(self, test):
        super().addUnexpectedSuccess(test)
        self._mark("fail")

    def stopTest(self, test):
        super().stopTest(test)
        # Class or module fixtures that fail are reported as pseudo-tests with no startTest.
        out.write("\nRWSHIM-RESULT %s %s\n" % (getattr(self, "_rw_status", "fail"), test.id()))
        self._rw_status = "fail"


def main(names):
    loader = unittest.TestLoader()
    for name in names:
        try:
            suite = loader.loadTestsFromName(name)
        except Exception as exc:  # an import failure is a failure of the whole module
            out.write("\nRWSHIM-RESULT fail %s.<import: %s>\n" % (name, type(exc).__name__))
            continue
        runner = unittest.TextTestRunner(stream=sys.stderr, verbosity=2, resultclass=IdResult)
        result = runner.run(suite)
        for test, _ in result.errors:
            # setUpClass/setUpModule errors: _ErrorHolder objects that never went through stopTest.
            if type(test).__name__ == "_ErrorHolder":
                out.write("\nRWSHIM-RESULT fail %s\n" % test.id())


if __name__ == "__main__":
    main(sys.argv[1:])
