#!/usr/bin/env bash
# Install everything the test suite needs, then run all of it (lint, unit, data layer on SQLite
# and PostgreSQL, AppTest, real browser). Extra arguments go to pytest.
#   bash scripts/test.sh            # everything
#   bash scripts/test.sh -k isolation
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || need_apt+=(postgresql)
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "Installing Debian packages: ${need_apt[*]}"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $sudo_cmd env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${need_apt[@]}" >/dev/null
fi

python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
python -m ruff check .
python -m pytest "$@"
