#include "core/remote/agent_install_scripts.h"

namespace tp::remote {

// Written for POSIX sh (dash on Debian and Ubuntu, busybox ash): no bashisms, no arrays.
const std::string& agent_probe_script() {
    static const std::string script = R"SH(
p() { printf 'tp-probe: %s=%s\n' "$1" "$2"; }
first() { head -n 1 | tr -d '\r'; }
p arch "$(uname -m)"
p kernel "$(uname -sr)"
p host "$(uname -n)"
p home "$HOME"
p glibc "$(getconf GNU_LIBC_VERSION 2>/dev/null | first)"
p nproc "$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)"
p mem_kb "$(awk '/^MemTotal:/ {print $2}' /proc/meminfo 2>/dev/null)"
mkdir -p "$HOME/.cache/tailprune/agent" 2>/dev/null
p disk_free_kb "$(df -Pk "$HOME/.cache/tailprune/agent" 2>/dev/null | awk 'NR==2 {print $4}')"
# A non-interactive login often lacks these in PATH (pip --user's cmake, JetPack's CUDA).
PATH="$PATH:$HOME/.local/bin:/usr/local/bin:/usr/local/cuda/bin"
for c in c++ g++ clang++; do
  if command -v "$c" >/dev/null 2>&1; then
    p cxx "$(command -v "$c")"
    p cxx_version "$("$c" --version 2>/dev/null | first)"
    p cxx_id "$("$c" --version 2>/dev/null | first | grep -qi clang && echo clang || echo gcc)"
    p cxx_major "$("$c" -dumpversion 2>/dev/null | cut -d. -f1)"
    break
  fi
done
if command -v cmake >/dev/null 2>&1; then
  p cmake "$(command -v cmake)"
  p cmake_version "$(cmake --version 2>/dev/null | first | awk '{print $3}')"
fi
command -v ninja >/dev/null 2>&1 && p ninja "$(command -v ninja)"
command -v make >/dev/null 2>&1 && p make "$(command -v make)"
command -v ccache >/dev/null 2>&1 && p ccache "$(command -v ccache)"
command -v tar >/dev/null 2>&1 && p tar "$(command -v tar)"
for f in /usr/lib/*/cmake/Torch/TorchConfig.cmake /usr/lib/cmake/Torch/TorchConfig.cmake \
         /usr/share/cmake/Torch/TorchConfig.cmake /usr/local/share/cmake/Torch/TorchConfig.cmake; do
  if [ -f "$f" ]; then p torch_system "${f%/Torch/TorchConfig.cmake}"; break; fi
done
if command -v python3 >/dev/null 2>&1; then
  p python3 "$(command -v python3)"
  out=$(python3 -c 'import torch; print(torch.utils.cmake_prefix_path); print(torch.__version__); print(int(torch.cuda.is_available()))' 2>/dev/null)
  if [ -n "$out" ]; then
    p torch_python "$(printf '%s\n' "$out" | sed -n 1p)"
    p torch_python_version "$(printf '%s\n' "$out" | sed -n 2p)"
    p torch_python_cuda "$(printf '%s\n' "$out" | sed -n 3p)"
  fi
fi
command -v nvcc >/dev/null 2>&1 && p nvcc "$(command -v nvcc)"
for h in zlib.h nlohmann/json.hpp CLI/CLI.hpp stb/stb_image.h; do
  for d in /usr/include /usr/local/include; do
    if [ -f "$d/$h" ]; then p "header:$h" "$d/$h"; break; fi
  done
done
[ -f /etc/nv_tegra_release ] && p jetson "$(first < /etc/nv_tegra_release)"
for d in "$HOME/.cache/tailprune/agent"/*; do
  [ -x "$d/bin/tailprune" ] && p installed "${d##*/}"
done
p end ok
)SH";
    return script;
}

const std::string& agent_upload_script() {
    static const std::string script = R"SH(
set -u
[ "$1" = upload ] || { echo "tp-install: error unknown action" >&2; exit 2; }
dest="$HOME/$2"
umask 077
mkdir -p "$(dirname "$dest")" || exit 1
cat > "$dest.part" && mv -f "$dest.part" "$dest"
)SH";
    return script;
}

const std::string& agent_install_script() {
    static const std::string script = R"SH(
set -u
say() { printf 'tp-install: %s\n' "$*"; }
fail() { say "error $*"; exit 1; }
root="$HOME/.cache/tailprune/agent"
me=$(uname -n)
action=${1:-}
if [ "$action" = cancel ]; then
  lock="$root/.lock-$2"
  [ -f "$lock/owner" ] || { say "cancelled (no install was running)"; exit 0; }
  read -r ohost opid opgid ostarted < "$lock/owner"
  [ "$ohost" = "$me" ] || fail "the install holding $lock runs on $ohost, not on $me"
  # `kill -TERM -PGID`: dash takes no `--` here; bash and busybox read it the same way.
  kill -TERM "-$opgid" 2>/dev/null || kill -TERM "$opid" 2>/dev/null
  say "cancelled (process $opid)"
  exit 0
fi
[ "$action" = install ] || fail "unknown action '$action'"
bundle="$HOME/$2" id=$3 arch=$4 jobs=$5 timeout=$6 cmake_bin=$7 torch=$8
[ "$(uname -m)" = "$arch" ] || fail "this machine is $(uname -m), the install was planned for $arch"
target="$id-$arch"
lock="$root/.lock-$arch"
stage="$root/.stage-$target-$$"
mkdir -p "$root" || fail "cannot create $root"

# The lock is a folder (mkdir is atomic on every file system, NFS included; flock is not).
if ! mkdir "$lock" 2>/dev/null; then
  ohost=? opid=0 ostarted=0
  [ -f "$lock/owner" ] && read -r ohost opid opgid ostarted < "$lock/owner"
  [ "$ostarted" = 0 ] && ostarted=$(stat -c %Y "$lock" 2>/dev/null || echo 0)
  age=$(( $(date +%s) - ostarted ))
  if [ "$ohost" = "$me" ] && ! kill -0 "$opid" 2>/dev/null; then why="its process $opid on $me is gone"
  elif [ "$age" -gt "$timeout" ]; then why="it is ${age} s old, more than the build's timeout of $timeout s"
  else fail "busy: another install (process $opid on $ohost, ${age} s ago) holds $lock; wait for it or cancel it"
  fi
  say "note taking over a stale lock ($why)"
  rm -rf "$lock"
  mkdir "$lock" 2>/dev/null || fail "busy: another install took $lock just now"
fi
pgid=$(ps -o pgid= -p $$ 2>/dev/null | tr -d ' ')
printf '%s %s %s %s\n' "$me" $$ "${pgid:-$$}" "$(date +%s)" > "$lock/owner"
cleanup() {
  rm -rf "$stage"
  if [ -f "$lock/owner" ]; then
    read -r h p rest < "$lock/owner"
    [ "$h" = "$me" ] && [ "$p" = $$ ] && rm -rf "$lock"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP PIPE

say "stage unpack"
mkdir -p "$stage" && tar -xzf "$bundle" -C "$stage" || fail "cannot unpack $bundle"
new="$stage/tailprune-agent-src"
[ -f "$new/bundle.json" ] || fail "$bundle is not an agent bundle (no bundle.json)"
rm -f "$bundle"
# Only changed files are copied into the kept source folder, so make/ninja rebuild only what changed.
src="$root/src-$arch" build="$root/build-$arch"
mkdir -p "$src" || fail "cannot create $src"
changed=0
for f in $(cd "$new" && find . -type f | sort); do
  if ! cmp -s "$new/$f" "$src/$f"; then
    mkdir -p "$(dirname "$src/$f")" && cp "$new/$f" "$src/$f" || fail "cannot copy $f"
    changed=$((changed + 1))
  fi
done
for f in $(cd "$src" && find . -type f); do
  [ -e "$new/$f" ] || rm -f "$src/$f"
done
say "note $changed changed file(s) copied into $src"

say "stage configure"
# Unity batches: the LibTorch headers are parsed once per batch of runtime files, not per file.
set -- -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release -DTAILPRUNE_GUI=OFF -DTAILPRUNE_TESTS=OFF \
  -DCMAKE_DISABLE_FIND_PACKAGE_SQLiteCpp=ON -DTAILPRUNE_UNITY_RUNTIME=ON
if [ ! -f "$build/CMakeCache.txt" ] && command -v ninja >/dev/null 2>&1; then set -- "$@" -G Ninja; fi
[ -n "$torch" ] && set -- "$@" "-DCMAKE_PREFIX_PATH=$torch"
command -v ccache >/dev/null 2>&1 && set -- "$@" -DCMAKE_CXX_COMPILER_LAUNCHER=ccache
"$cmake_bin" "$@" 2>&1 || fail "configure failed (the log above says why)"

say "stage build"
"$cmake_bin" --build "$build" --target tailprune -j "$jobs" 2>&1 || fail "the build failed (the log above says why)"

say "stage self-check"
check=$("$build/app/tailprune" agent --self-check 2>&1)
status=$?
say "selfcheck $(printf '%s\n' "$check" | tail -n 1)"
[ $status = 0 ] || fail "the agent's self-check failed: $(printf '%s\n' "$check" | tail -n 1)"

say "stage install"
stamp=$(date +%Y%m%d%H%M%S)
version_dir="$root/.v-$target-$stamp-$$"
mkdir -p "$version_dir/bin" && cp "$build/app/tailprune" "$version_dir/bin/tailprune" \
  && cp "$new/bundle.json" "$version_dir/bundle.json" || fail "cannot write $version_dir"
printf '%s\n' "$check" | tail -n 1 > "$version_dir/self-check.json"
# One rename puts it in place: a reader sees the old build or the new one, never half of one.
ln -s "${version_dir##*/}" "$root/.link-$$" && mv -T "$root/.link-$$" "$root/$target" \
  || fail "cannot put $root/$target in place"
for d in "$root/.v-$target-"*; do
  [ "$d" = "$version_dir" ] || rm -rf "$d"
done
say "done $root/$target/bin/tailprune"
)SH";
    return script;
}

}  // namespace tp::remote
