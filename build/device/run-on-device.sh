#!/usr/bin/env bash
# The device check, run from the unpacked pack (see build/device-check.sh). Needs no .NET: asl-worker is a
# self-contained publish that loads libtorch from ASL_LIBTORCH_DIR (default: the lib folder of python3's PyTorch).
# Every step prints its output; the script ends with one line per step and exits non-zero when a step failed.
#   --cpu-only   the self-test on a CPU machine: the device is cpu, the data set tiny, no PyTorch comparison.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cpu_only=0
[[ "${1:-}" == "--cpu-only" ]] && cpu_only=1
export DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1
if [[ -z "${ASL_LIBTORCH_DIR:-}" ]]; then
  ASL_LIBTORCH_DIR=$(python3 -c 'import os, torch; print(os.path.join(os.path.dirname(torch.__file__), "lib"))') \
    || { echo "run-on-device: no ASL_LIBTORCH_DIR and no PyTorch under python3"; exit 2; }
  export ASL_LIBTORCH_DIR
fi
device=${ASL_DEVICE:-cuda}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
summary=()
failed=0
record() { summary+=("$1: $2"); [[ "$2" == ok* || "$2" == skipped* ]] || failed=1; }

echo "== 1. TorchSharp's glue library against $ASL_LIBTORCH_DIR"
if command -v nm >/dev/null 2>&1; then
  # libtorch's own symbols (at::, c10::, torch::, caffe2::) that the glue needs and the folder's libraries lack.
  nm -D --undefined-only "$here/libLibTorchSharp.so" | awk '{print $2}' | grep -E '^_ZN?K?[0-9]*(2at|3c10|5torch|6caffe2)' | sort -u > "$work/needed"
  for lib in libc10.so libc10_cuda.so libtorch_cpu.so libtorch_cuda.so libtorch.so; do
    [[ -f "$ASL_LIBTORCH_DIR/$lib" ]] && nm -D --defined-only "$ASL_LIBTORCH_DIR/$lib" | awk '{print $3}'
  done | sort -u > "$work/defined"
  comm -23 "$work/needed" "$work/defined" > "$work/unresolved"
  echo "$(wc -l < "$work/needed") libtorch symbols needed, $(wc -l < "$work/unresolved") unresolved"
  if [[ -s "$work/unresolved" ]]; then
    (c++filt < "$work/unresolved" 2>/dev/null || cat "$work/unresolved") | head -100
    record "symbols" "$(wc -l < "$work/unresolved") unresolved (listed above)"
  else
    record "symbols" "ok, every libtorch symbol binds"
  fi
else
  record "symbols" "skipped (no nm on this machine)"
fi
# Binding every symbol at load time makes a missing one fail here, by name, rather than at its first call.
if LD_BIND_NOW=1 "$here/asl-worker" devices; then record "devices" "ok"; else record "devices" "failed (exit $?)"; fi

speed=()
(( cpu_only )) || speed=(--speed)
echo; echo "== 2. asl-worker check --device $device ${speed[*]}"
if "$here/asl-worker" check --device "$device" "${speed[@]}"; then record "check" "ok"; else record "check" "failed (exit $?)"; fi

echo; echo "== 3. a single-process training run on $device"
if (( cpu_only )); then
  size="classes: 6, train_images: 64, val_images: 32, image_size: 32"; image=32; epochs=1; batch=16
else
  size="classes: 12, train_images: 2000, val_images: 500, image_size: 64"; image=64; epochs=3; batch=64
fi
cat > "$work/train.yaml" <<YAML
seed: 1
data: {kind: synthetic-shapes, root: $work/shapes, synthetic: {$size}}
model: {name: small_cnn}
image: {size: $image}
schedule: {epochs: $epochs, stop_epoch: 0}
run: {batch_size: $batch, device: $device, loader_workers: 4}
output: {dir: $work/run}
YAML
if "$here/asl-worker" train "$work/train.yaml"; then record "train" "ok"; else record "train" "failed (exit $?)"; fi

echo; echo "== 4. two data-parallel ranks on one $device"
# --nproc gives rank r the device cuda:r; on a one-GPU machine both ranks share device 0, their gradients staged
# through pinned host buffers on the ring.
ranks_device=$device
[[ "$device" == cuda ]] && ranks_device=cuda:0
if "$here/asl-worker" train "$work/train.yaml" output.dir="$work/run2" run.device="$ranks_device" --nproc 2; then record "two ranks" "ok"; else record "two ranks" "failed (exit $?)"; fi

if (( ! cpu_only )); then
  echo; echo "== 5. PyTorch on the same device, for comparison"
  if python3 "$here/torch_reference.py"; then record "pytorch reference" "ok"; else record "pytorch reference" "failed (exit $?)"; fi
fi

echo; echo "== summary"
printf '%s\n' "${summary[@]}"
exit $failed
