# Shared by scripts/run and scripts/test: make sure .venv exists and holds this checkout's
# package with the extras asked for. It reinstalls only when pyproject.toml changed or an extra
# is missing, so after the first run both commands start at once.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${CHARGEYARD_VENV:-$ROOT/.venv}"
PYTHON="${PYTHON:-python3}"

ensure_venv() {
    local needed="$1"  # "" or an extra such as "dev"
    if [ ! -x "$VENV/bin/python" ]; then
        if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
            echo "chargeyard needs Python >= 3.11 (found: $("$PYTHON" --version 2>&1))" >&2
            exit 1
        fi
        echo "chargeyard: creating a virtual environment in $VENV" >&2
        "$PYTHON" -m venv "$VENV"
    fi
    local stamp="$VENV/.chargeyard-installed"
    local hash installed_hash="" installed_extras=""
    hash="$(sha256sum "$ROOT/pyproject.toml" | cut -d' ' -f1)"
    if [ -f "$stamp" ]; then
        read -r installed_hash installed_extras < "$stamp" || true
    fi
    if [ "$hash" = "$installed_hash" ] && { [ -z "$needed" ] || [[ ",$installed_extras," == *",$needed,"* ]]; }; then
        return 0
    fi
    local extras="$needed"
    if [ "$hash" = "$installed_hash" ] && [ -n "$installed_extras" ] && [ "$installed_extras" != "-" ]; then
        extras="${installed_extras}${needed:+,$needed}"
    fi
    echo "chargeyard: installing chargeyard${extras:+[$extras]} into $VENV (first run takes a minute)" >&2
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e "$ROOT${extras:+[$extras]}"
    echo "$hash ${extras:--}" > "$stamp"
}

# The official OCPPLab SDK of the 0.2 line, pinned, for the contract tests of tests/sdk: two
# versions of one distribution cannot share a virtualenv, so 0.2.4 goes into a directory of
# its own (without dependencies: it uses the venv's httpx and pydantic, as 0.3.2 does), and
# the tests import it in a child process whose sys.path starts there (tests/sdk/sdk_worker.py).
SDK_LEGACY_VERSION="0.2.4"
SDK_LEGACY_DIR="$VENV/sdk/ocpplab-$SDK_LEGACY_VERSION"

ensure_legacy_sdk() {
    if [ -f "$SDK_LEGACY_DIR/.installed" ]; then
        return 0
    fi
    echo "chargeyard: installing ocpplab==$SDK_LEGACY_VERSION into $SDK_LEGACY_DIR" >&2
    rm -rf "$SDK_LEGACY_DIR"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps \
        --target "$SDK_LEGACY_DIR" "ocpplab==$SDK_LEGACY_VERSION"
    touch "$SDK_LEGACY_DIR/.installed"
}
