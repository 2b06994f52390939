#!/usr/bin/env bash
# Build and install the TimescaleDB Apache-2 edition for the local PostgreSQL
# when no TimescaleDB is installed for it.
#
# Source: the distribution's own `timescaledb` source package from a newer
# suite (Debian: trixie's 2.19.3+dfsg, whose tarball has no TSL code), fetched
# from the mirror this machine's apt is already configured with. Everything
# apt needs for that lives in a private state folder, so the system's package
# lists and sources are left untouched. Signatures are always verified.
#
# Environment:
#   PG_MAJOR              PostgreSQL major version (default: detected)
#   TIMESCALEDB_SUITE     suite to take the source package from
#                         (default: trixie on Debian 12 and older, else this
#                         machine's own suite)
#   TIMESCALEDB_VERSION   pin a source package version, e.g. 2.19.3+dfsg-1
#   TIMESCALEDB_REBUILD   set to 1 to rebuild and reinstall even if installed
#   CO2_TSDB_CACHE_DIR    cache folder (default
#                         ${XDG_CACHE_HOME:-/var/cache}/co2-timescaledb)
#   APT_TIMEOUT           seconds allowed for each apt-get call (default 600)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
as_root PG_MAJOR TIMESCALEDB_SUITE TIMESCALEDB_VERSION TIMESCALEDB_REBUILD CO2_TSDB_CACHE_DIR APT_TIMEOUT

export DEBIAN_FRONTEND=noninteractive
APT_TIMEOUT=${APT_TIMEOUT:-600}
CACHE_DIR=${CO2_TSDB_CACHE_DIR:-${XDG_CACHE_HOME:-/var/cache}/co2-timescaledb}
APT_DIR=$CACHE_DIR/apt
BUILD_ROOT=$CACHE_DIR/build

# --- PostgreSQL ------------------------------------------------------------
step "Locating PostgreSQL" "Run scripts/db/install-postgres.sh first (or set PG_MAJOR)."
major=$(pg_major pg_config)
[[ -n "$major" ]] || die "no PostgreSQL found; run scripts/db/install-postgres.sh first"
PG_CONFIG=/usr/lib/postgresql/$major/bin/pg_config
[[ -x "$PG_CONFIG" ]] || die "$PG_CONFIG not found; install postgresql-server-dev-$major (scripts/db/install-postgres.sh)"
ext_dir="$("$PG_CONFIG" --sharedir)/extension"
lib_dir=$("$PG_CONFIG" --pkglibdir)

installed_version() {
    local control=$ext_dir/timescaledb.control ver
    [[ -f "$control" && -f "$lib_dir/timescaledb.so" ]] || return 1
    ver=$(sed -n "s/^default_version *= *'\(.*\)'.*/\1/p" "$control")
    [[ -n "$ver" && -f "$lib_dir/timescaledb-$ver.so" ]] || return 1
    printf '%s\n' "$ver"
}

if [[ "${TIMESCALEDB_REBUILD:-0}" != 1 ]] && ver=$(installed_version); then
    log "TimescaleDB $ver is already installed for PostgreSQL $major ($lib_dir)"
    exit 0
fi

# --- Where to get the source from -----------------------------------------
step "Reading this machine's apt configuration" \
    "Configure a Debian/Ubuntu mirror for this release in /etc/apt/sources.list(.d)."
# shellcheck disable=SC1091
. /etc/os-release
codename=${VERSION_CODENAME:-}
[[ -n "$codename" ]] || die "VERSION_CODENAME is missing from /etc/os-release"
case "${ID:-}" in
    debian)
        # Debian 12 (bookworm) and older have no timescaledb package of their
        # own: use the newer suite's source. Newer releases use their own.
        if [[ "${VERSION_ID:-99}" =~ ^[0-9]+$ && "${VERSION_ID}" -le 12 ]]; then
            suite=${TIMESCALEDB_SUITE:-trixie}
        else
            suite=${TIMESCALEDB_SUITE:-$codename}
        fi
        component=main
        default_keyring=/usr/share/keyrings/debian-archive-keyring.gpg
        keyring_package=debian-archive-keyring
        ;;
    ubuntu)
        suite=${TIMESCALEDB_SUITE:-$codename}
        component=universe
        default_keyring=/usr/share/keyrings/ubuntu-archive-keyring.gpg
        keyring_package=ubuntu-keyring
        ;;
    *) die "unsupported distribution '${ID:-?}' (Debian or Ubuntu expected)" ;;
esac

# Print "URI<TAB>Signed-By" of the first enabled binary ("deb") entry whose
# suites include exactly this release's codename, i.e. the main archive, not
# the security or updates one.
find_mirror() {
    local f
    for f in /etc/apt/sources.list.d/*.sources; do
        [[ -f "$f" ]] || continue
        awk -v want="$codename" '
            BEGIN { RS = ""; FS = "\n" }
            {
                types = ""; uris = ""; suites = ""; signed = ""; enabled = "yes"
                for (i = 1; i <= NF; i++) {
                    line = $i
                    if (line ~ /^#/ || line ~ /^[ \t]/) continue   # comments, continuation lines
                    p = index(line, ":"); if (p == 0) continue
                    key = tolower(substr(line, 1, p - 1)); val = substr(line, p + 1)
                    gsub(/^[ \t]+|[ \t]+$/, "", val)
                    if (key == "types") types = val
                    else if (key == "uris") uris = val
                    else if (key == "suites") suites = val
                    else if (key == "signed-by") signed = val
                    else if (key == "enabled") enabled = tolower(val)
                }
                if (enabled == "no" || (" " types " ") !~ / deb /) next
                n = split(suites, s, /[ \t]+/)
                for (j = 1; j <= n; j++) if (s[j] == want) {
                    split(uris, u, /[ \t]+/)
                    if (signed !~ /^\//) signed = ""     # inline key blocks are not reused
                    printf "%s\t%s\n", u[1], signed; exit
                }
            }' "$f"
    done
    local lists=()
    [[ -f /etc/apt/sources.list ]] && lists+=(/etc/apt/sources.list)
    for f in /etc/apt/sources.list.d/*.list; do [[ -f "$f" ]] && lists+=("$f"); done
    [[ ${#lists[@]} -gt 0 ]] || return 0
    awk -v want="$codename" '
        $1 == "deb" {
            i = 2; signed = ""
            if ($2 ~ /^\[/) {
                for (; i <= NF; i++) {
                    if ($i ~ /^\[?signed-by=/) { signed = $i; sub(/^\[?signed-by=/, "", signed); sub(/\]$/, "", signed) }
                    if ($i ~ /\]$/) { i++; break }
                }
            }
            if ($(i + 1) == want) { printf "%s\t%s\n", $i, signed; exit }
        }' "${lists[@]}"
}
mirror_line=$(find_mirror | head -n 1)
mirror=${mirror_line%%$'\t'*}
system_keyring=${mirror_line#*$'\t'}
[[ -n "$mirror" ]] || die "no 'deb' entry for suite '$codename' found in /etc/apt/sources.list or /etc/apt/sources.list.d/"
log "Mirror from the apt configuration: $mirror (source suite: $suite, component: $component)"

# --- Private apt state -------------------------------------------------------
mkdir -p "$APT_DIR/sources.list.d" "$APT_DIR/preferences.d" "$APT_DIR/state/lists/partial" \
    "$APT_DIR/cache/archives/partial" "$BUILD_ROOT"
PRIV_APT=(-q -o "Dir::Etc::SourceList=$APT_DIR/sources.list"
    -o "Dir::Etc::SourceParts=$APT_DIR/sources.list.d"
    -o "Dir::Etc::Preferences=$APT_DIR/preferences"
    -o "Dir::Etc::PreferencesParts=$APT_DIR/preferences.d"
    -o "Dir::State=$APT_DIR/state" -o "Dir::Cache=$APT_DIR/cache"
    -o Acquire::Languages=none -o Acquire::http::Timeout=30 -o Acquire::https::Timeout=30
    -o Acquire::Retries=3)
priv_apt_get() { timeout -k 10 "$APT_TIMEOUT" apt-get "${PRIV_APT[@]}" "$@"; }
priv_apt_cache() { timeout -k 10 120 apt-cache "${PRIV_APT[@]}" "$@"; }

# Fetch the suite's signed index with KEYRING. Succeeds only when apt verified
# the signature (apt-get update alone only warns on some signature problems).
try_update() {
    local keyring=$1 out
    printf 'deb-src [signed-by=%s] %s %s %s\n' "$keyring" "$mirror" "$suite" "$component" \
        >"$APT_DIR/sources.list"
    rm -f "$APT_DIR/state/lists/"*_dists_* 2>/dev/null || true
    if ! out=$(priv_apt_get update 2>&1); then
        printf '%s\n' "$out" | sed 's/^/    /'
        return 1
    fi
    printf '%s\n' "$out" | sed 's/^/    /'
    if grep -Eq 'GPG error|NO_PUBKEY|EXPKEYSIG|is not signed|^W:|^E:' <<<"$out"; then
        return 1
    fi
    compgen -G "$APT_DIR/state/lists/*_dists_${suite}_InRelease" >/dev/null \
        || compgen -G "$APT_DIR/state/lists/*_dists_${suite}_Release.gpg" >/dev/null
}

# Reuse the index while it is less than a day old and for the same entry.
want_line="$mirror $suite $component"
index_fresh() {
    [[ -f "$APT_DIR/verified" && "$(cat "$APT_DIR/verified")" == "$want_line" ]] \
        && [[ -n $(find "$APT_DIR/verified" -mmin -1440 2>/dev/null) ]] \
        && compgen -G "$APT_DIR/state/lists/*_${suite}_${component}_source_Sources*" >/dev/null
}

if index_fresh; then
    log "Reusing the verified '$suite' source index in $APT_DIR"
else
    step "Fetching the signed '$suite' source index into the private apt state ($APT_DIR)" \
        "Check the network/mirror; signature verification stays on: update the '$keyring_package' package from this release if its keys are too old."
    # Keyrings to try, in order: the one the system's entry uses, the
    # distribution's archive keyring, then per-release keyrings for the suite.
    candidates=()
    for k in "$system_keyring" "$default_keyring" \
        "/usr/share/keyrings/debian-archive-$suite-automatic.gpg" \
        "/usr/share/keyrings/debian-archive-$suite-stable.gpg" \
        /etc/apt/trusted.gpg.d/debian-archive-"$suite"-automatic.* \
        /etc/apt/trusted.gpg.d/debian-archive-"$suite"-stable.*; do
        [[ -n "$k" && -f "$k" ]] || continue
        [[ " ${candidates[*]-} " == *" $k "* ]] || candidates+=("$k")
    done
    verified=""
    for k in "${candidates[@]}"; do
        log "Trying keyring $k"
        if try_update "$k"; then verified=$k; break; fi
    done
    if [[ -z "$verified" ]]; then
        # The release's keyring package gets the next release's keys in point
        # releases: upgrade it from this machine's own (verified) sources.
        step "Upgrading $keyring_package from this release to get the '$suite' signing keys" \
            "Update '$keyring_package' by hand (apt-get install $keyring_package) and re-run."
        timeout -k 10 "$APT_TIMEOUT" apt-get -q -o Acquire::http::Timeout=30 -o DPkg::Lock::Timeout=120 update
        timeout -k 10 "$APT_TIMEOUT" apt-get -q -o Acquire::http::Timeout=30 -o DPkg::Lock::Timeout=120 \
            install -y --only-upgrade "$keyring_package"
        step "Fetching the signed '$suite' source index (after the keyring upgrade)" \
            "No installed keyring verifies '$suite' from $mirror; verification is never disabled. Check TIMESCALEDB_SUITE."
        try_update "$default_keyring" || die "no keyring verifies the '$suite' Release file from $mirror"
        verified=$default_keyring
    fi
    log "Signature of '$suite' verified with $verified"
    printf '%s\n' "$want_line" >"$APT_DIR/verified"
fi

# --- Source package ----------------------------------------------------------
step "Choosing the timescaledb source version" \
    "The '$suite' suite has no 'timescaledb' source package; set TIMESCALEDB_SUITE or TIMESCALEDB_VERSION."
if [[ -n "${TIMESCALEDB_VERSION:-}" ]]; then
    src_version=$TIMESCALEDB_VERSION
else
    src_version=$(priv_apt_cache -qq showsrc --only-source timescaledb 2>/dev/null \
        | awk '/^Version:/ {print $2}' | sort -V | tail -n 1)
fi
[[ -n "$src_version" ]] || die "no timescaledb source package found in '$suite'"
log "Source package: timescaledb $src_version (from $suite)"

pkg_dir=$BUILD_ROOT/timescaledb_$src_version
find_src_dir() {
    { find "$pkg_dir" -mindepth 1 -maxdepth 1 -type d -name 'timescaledb-*' 2>/dev/null || true; } | head -n 1
}
src_dir=$(find_src_dir)
if [[ -n "$src_dir" && -x "$src_dir/bootstrap" ]]; then
    log "Reusing the unpacked source in $src_dir"
else
    step "Downloading and unpacking the timescaledb $src_version source" \
        "Check the network/mirror and that timescaledb=$src_version exists in '$suite'; dpkg-dev must be installed."
    rm -rf "$pkg_dir"
    mkdir -p "$pkg_dir"
    # Let apt's unprivileged download user write here (keeps apt's sandbox on).
    if id _apt >/dev/null 2>&1; then chown _apt "$pkg_dir"; fi
    (cd "$pkg_dir" && priv_apt_get source --only-source "timescaledb=$src_version")
    src_dir=$(find_src_dir)
    [[ -n "$src_dir" && -x "$src_dir/bootstrap" ]] || die "the unpacked source has no bootstrap script ($pkg_dir)"
fi

# --- Build -------------------------------------------------------------------
if [[ -d "$src_dir/tsl" ]] && find "$src_dir/tsl" -name '*.c' -print -quit | grep -q .; then
    log "Note: this source contains TSL code; it is not built (APACHE_ONLY=1)"
fi
build_dir=$src_dir/build
jobs=$(nproc 2>/dev/null || echo 2)
if [[ -f "$build_dir/CMakeCache.txt" ]] && grep -q "^PG_CONFIG:[A-Z]*=$PG_CONFIG\$" "$build_dir/CMakeCache.txt"; then
    log "Reusing the configured build in $build_dir"
else
    step "Configuring TimescaleDB (Apache-2 edition) for PostgreSQL $major" \
        "Check that cmake, a C compiler and postgresql-server-dev-$major are installed and that this TimescaleDB supports PostgreSQL $major."
    rm -rf "$build_dir"
    # The unpacked source is no git checkout: skip git (it only prints errors).
    (cd "$src_dir" && BUILD_FORCE_REMOVE=true timeout -k 10 600 ./bootstrap \
        -DAPACHE_ONLY=1 -DREGRESS_CHECKS=OFF -DTAP_CHECKS=OFF -DWARNINGS_AS_ERRORS=OFF \
        -DUSE_OPENSSL=0 -DSEND_TELEMETRY_DEFAULT=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DCMAKE_DISABLE_FIND_PACKAGE_Git=ON -DPG_CONFIG="$PG_CONFIG" </dev/null)
fi

step "Compiling TimescaleDB (make -j$jobs in $build_dir)" "See the compiler output above; remove $pkg_dir to start over."
timeout -k 10 1800 make -C "$build_dir" -j"$jobs" -s

step "Installing TimescaleDB into $lib_dir and $ext_dir" "See the output above."
timeout -k 10 600 make -C "$build_dir" -s install >/dev/null

step "Checking the installation" "make install did not produce the expected files; remove $pkg_dir and re-run."
ver=$(installed_version) || die "timescaledb.control or its libraries are missing after make install"
log "TimescaleDB $ver (Apache-2 edition) installed for PostgreSQL $major"
log "The server needs shared_preload_libraries = 'timescaledb' (scripts/db/start-cluster.sh sets it)"
