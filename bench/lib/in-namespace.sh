#!/usr/bin/env bash
# Trampoline for tests/integration/run-in-namespace, which runs a bash script inside the
# private user+mount+net namespace: hands over to the harness's namespace phase.
#   run-in-namespace bench/lib/in-namespace.sh PHASE PARAMS_JSON RESULT_JSON
set -euo pipefail
exec python3 "$(cd "$(dirname "$0")/.." && pwd)/bench.py" --inner "$@"
