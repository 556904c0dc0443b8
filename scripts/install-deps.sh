#!/usr/bin/env bash
# Installs the Debian 12 packages TailPrune Studio needs, only when one is missing,
# so a second call costs a second. Usage: scripts/install-deps.sh [gui|headless]
set -euo pipefail
flavour=${1:-gui}
packages=(cmake ninja-build g++ pkg-config
          libtorch-dev libopenblas0-pthread libsqlitecpp-dev libsqlite3-dev
          nlohmann-json3-dev libcli11-dev libstb-dev zlib1g-dev
          dataset-fashion-mnist openssh-server openssh-client python3-torch python3-numpy python3-jsonschema
          clang libclang-rt-14-dev  # clang: the fuzz targets (scripts/fuzz.sh, scripts/fuzz-ci.sh)
          slurm-wlm munge           # the single-host Slurm the cluster tests start (tests/slurm, docs/cluster.md)
          procps)                   # pgrep/pkill: the session fault tests find the processes they kill
if [ "$flavour" = gui ]; then
  packages+=(qt6-base-dev qt6-svg-dev libqcustomplot-dev libgl-dev xvfb xauth
             qt6-qpa-plugins fonts-dejavu-core)
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "Installing missing Debian packages: ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
