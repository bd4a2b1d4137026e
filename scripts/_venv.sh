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
