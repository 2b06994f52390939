#!/usr/bin/env bash
# Install the distribution's PostgreSQL server, its server headers and the
# tools needed to build TimescaleDB (cmake, a C compiler, dpkg-dev for
# `apt-get source`). Idempotent: when everything is already installed it
# returns at once without touching apt.
#
# Environment:
#   PG_MAJOR      PostgreSQL major version (default: the distribution's
#                 `postgresql` package, e.g. 15 on Debian 12)
#   APT_TIMEOUT   seconds allowed for each apt-get call (default 900)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
as_root PG_MAJOR APT_TIMEOUT

export DEBIAN_FRONTEND=noninteractive
APT_TIMEOUT=${APT_TIMEOUT:-900}
APT_OPTS=(-q -o Acquire::http::Timeout=30 -o Acquire::https::Timeout=30 -o Acquire::Retries=3
    -o DPkg::Lock::Timeout=120)

apt_get() { timeout -k 10 "$APT_TIMEOUT" apt-get "${APT_OPTS[@]}" "$@"; }

is_installed() {
    [[ $(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null || true) == installed ]]
}

APT_UPDATED=""
apt_update() {
    [[ -n "$APT_UPDATED" ]] && return 0
    step "Refreshing the package lists (apt-get update)" \
        "Check the network/apt mirror configuration (/etc/apt/sources.list*) and re-run."
    apt_get update
    APT_UPDATED=1
}

candidate_version() {
    apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ {print $2; exit}'
}

step "Detecting the PostgreSQL major version" \
    "Set PG_MAJOR (e.g. PG_MAJOR=15) or check that the 'postgresql' package is available."
if [[ -n "${PG_MAJOR:-}" ]]; then
    major=$PG_MAJOR
elif is_installed postgresql; then
    v=$(dpkg-query -W -f='${Version}' postgresql)
    major=${v%%+*}
else
    v=$(candidate_version postgresql)
    if [[ -z "$v" || "$v" == "(none)" ]]; then
        apt_update
        v=$(candidate_version postgresql)
    fi
    [[ -n "$v" && "$v" != "(none)" ]] || die "no 'postgresql' package is available from apt; set PG_MAJOR"
    major=${v%%+*}
fi
[[ "$major" =~ ^[0-9]+$ ]] || die "could not parse a PostgreSQL major version from '$major'; set PG_MAJOR"
log "PostgreSQL major version: $major"

packages=("postgresql-$major" "postgresql-client-$major" "postgresql-server-dev-$major"
    postgresql-common cmake gcc make build-essential dpkg-dev)
if [[ -z "${PG_MAJOR:-}" ]]; then
    # The metapackages track the distribution's default version only.
    packages+=(postgresql postgresql-contrib)
fi

missing=()
for p in "${packages[@]}"; do
    is_installed "$p" || missing+=("$p")
done

if [[ ${#missing[@]} -eq 0 ]]; then
    log "PostgreSQL $major, its server headers and the build tools are already installed"
    exit 0
fi

apt_update
step "Installing: ${missing[*]}" \
    "Check that these packages exist for this distribution (apt-cache policy NAME), or set PG_MAJOR."
apt_get install -y --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${missing[@]}"

step "Checking the installation" "The packages installed but pg_config is missing; reinstall postgresql-server-dev-$major."
[[ -x /usr/lib/postgresql/$major/bin/pg_config ]] || die "/usr/lib/postgresql/$major/bin/pg_config not found"
log "Installed PostgreSQL $("/usr/lib/postgresql/$major/bin/pg_config" --version | awk '{print $2}')"
