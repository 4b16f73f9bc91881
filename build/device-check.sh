#!/usr/bin/env bash
# The GPU device check (issue 17 §5), packed for a machine without .NET.
#
#   build/device-check.sh --pack       makes .device-pack/worker.tar.xz (at most 64 MiB): a self-contained linux-x64
#                                      publish of asl-worker built with -p:TorchSharpBackend=external (no libtorch of
#                                      its own: it loads the machine's PyTorch libtorch from ASL_LIBTORCH_DIR) and
#                                      build/device/run-on-device.sh, which runs the check there.
#   build/device-check.sh --self-test  packs, unpacks into a temporary folder and runs the pack here, without .NET on
#                                      the PATH, against the CPU libtorch of the NuGet cache: the pack must start and
#                                      pass `check --device cpu` on a machine without .NET. Part of the test command.
#
# On the GPU machine (device tool, carry [".device-pack"]):
#   mkdir -p /tmp/w && tar -xJf .device-pack/worker.tar.xz -C /tmp/w && /tmp/w/run-on-device.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
limit_mib=64

pack() {
  local stage source
  stage=$(mktemp -d)
  source="$stage/source"
  # A copy of the sources: the external backend restores another package graph, which must not touch this
  # checkout's obj folders (a build beside it would see the wrong one).
  mkdir -p "$source"
  tar -C "$root" --exclude='./.git' --exclude='*/bin' --exclude='*/obj' --exclude='./.device-pack' --exclude='./runs' -cf - . | tar -C "$source" -xf -
  echo "device-check: publishing asl-worker (self-contained, TorchSharpBackend=external) ..."
  dotnet publish "$source/src/Worker/Host" -c Release -r linux-x64 --self-contained -p:TorchSharpBackend=external \
    -p:InvariantGlobalization=true -o "$stage/pack" -nologo -v quiet
  if ls "$stage/pack"/libtorch*.so "$stage/pack"/libc10*.so >/dev/null 2>&1; then
    echo "device-check: the publish holds libtorch natives; the external backend must bring none" >&2
    exit 1
  fi
  cp "$root/build/device/run-on-device.sh" "$root/build/device/torch_reference.py" "$stage/pack/"
  chmod +x "$stage/pack/run-on-device.sh" "$stage/pack/asl-worker"
  mkdir -p "$root/.device-pack"
  tar -cJf "$root/.device-pack/worker.tar.xz" -C "$stage/pack" .
  local bytes
  bytes=$(stat -c %s "$root/.device-pack/worker.tar.xz")
  echo "device-check: .device-pack/worker.tar.xz is $((bytes / 1024 / 1024)) MiB ($bytes bytes; limit $limit_mib MiB)"
  rm -rf "$stage"
  if (( bytes > limit_mib * 1024 * 1024 )); then
    echo "device-check: the pack is larger than $limit_mib MiB" >&2
    exit 1
  fi
}

self_test() {
  pack
  local natives unpacked
  natives=$(dirname "$(find "${NUGET_PACKAGES:-$HOME/.nuget/packages}"/libtorch-cpu-linux-x64 -name libtorch_cpu.so | head -1)")
  if [[ ! -f "$natives/libtorch.so" ]]; then
    echo "device-check: no CPU libtorch in the NuGet cache (restore the solution first)" >&2
    exit 1
  fi
  unpacked=$(mktemp -d)
  trap 'rm -rf "$unpacked"' RETURN
  tar -xJf "$root/.device-pack/worker.tar.xz" -C "$unpacked"
  echo "device-check: running the pack against $natives, without .NET on the PATH"
  env -i PATH=/usr/bin:/bin HOME="$unpacked" ASL_LIBTORCH_DIR="$natives" ASL_DEVICE=cpu "$unpacked/run-on-device.sh" --cpu-only
}

case "${1:-}" in
  --pack) pack ;;
  --self-test) self_test ;;
  *) echo "usage: build/device-check.sh --pack | --self-test" >&2; exit 2 ;;
esac
