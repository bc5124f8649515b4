# Shared by start.sh and test.sh: make .venv, installing Debian's python3-venv if needed.
ensure_venv() {
    local python="${PYTHON:-python3}"
    if [ -x .venv/bin/python ]; then
        return
    fi
    if ! "$python" -c 'import ensurepip, venv' >/dev/null 2>&1; then
        # Debian and Ubuntu ship venv support separately.
        if command -v apt-get >/dev/null 2>&1; then
            local sudo=""
            [ "$(id -u)" -eq 0 ] || sudo="sudo"
            echo "Installing python3-venv (needed to make .venv) ..." >&2
            $sudo apt-get update -qq
            DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq python3-venv </dev/null >/dev/null
        else
            echo "Python's venv module is missing; install it, then run this again." >&2
            exit 2
        fi
    fi
    "$python" -m venv .venv
}
