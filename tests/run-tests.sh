#!/usr/bin/env bash
# Runs every test of the solution and ends with one line "N passed, N failed, N skipped".
# Needs: the .NET SDK of global.json; /usr/bin/python3 with scikit-learn, jsonschema and PyYAML (Debian: python3-sklearn
# python3-jsonschema python3-yaml) for the tests that compare metrics and the config schema against them; the font of
# the reports' plots (Debian: fonts-dejavu-core); and xz and binutils (nm) for the device pack's self-test. .ci/run
# installs them on a fresh machine.
set -uo pipefail
cd "$(dirname "$0")/.."

log=$(mktemp)
trap 'rm -f "$log"' EXIT
dotnet test Asl.Distributed.sln "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# One summary line per test assembly: "Passed!  - Failed: 0, Passed: 23, Skipped: 0, Total: 23, ..."
read -r passed failed skipped < <(awk '
  /(Passed|Failed)! +- +Failed:/ {
    for (i = 1; i <= NF; i++) {
      v = $(i + 1); gsub(/,/, "", v)
      if ($i == "Failed:") f += v; else if ($i == "Passed:") p += v; else if ($i == "Skipped:") s += v
    }
  }
  END { print p + 0, f + 0, s + 0 }' "$log")
# The GPU device pack, checked here on the CPU (build/device-check.sh): it must start without .NET, load libtorch from
# ASL_LIBTORCH_DIR and pass `asl-worker check --device cpu`. Only in a full run (no arguments such as a filter).
if [ "$#" -eq 0 ]; then
  if build/device-check.sh --self-test > "$log.pack" 2>&1; then
    passed=$((passed + 1))
    echo "Passed!  - the device pack self-test (build/device-check.sh --self-test)"
  else
    failed=$((failed + 1))
    status=1
    tail -60 "$log.pack"
    echo "Failed!  - the device pack self-test (build/device-check.sh --self-test)"
  fi
  rm -f "$log.pack"
fi
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
if [ "$status" -eq 0 ] && [ "$passed" -eq 0 ]; then
  echo "no test ran" >&2
  exit 1
fi
exit "$status"
