#!/usr/bin/env bash
# Packs the allreduce benchmark for a machine without .NET (the GPU device machines): a self-contained linux-x64
# publish of tests/Asl.Distributed.Benchmarks without TorchSharp's native libraries, which the allreduce command
# never loads, as .device-pack/allreduce.tar.xz (~36 MiB; the device tool carries at most 64 MiB). On the device:
#   mkdir -p /tmp/b && tar -xJf .device-pack/allreduce.tar.xz -C /tmp/b
#   DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 /tmp/b/Asl.Distributed.Benchmarks allreduce --ranks 2,3,4 --sizes-mib 1,4,25,100
# with `carry: [".device-pack"]`. dp-steps needs libtorch and does not run from this pack.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
dotnet publish "$root/tests/Asl.Distributed.Benchmarks" -c Release -r linux-x64 --self-contained -o "$stage/pub" >/dev/null
( cd "$stage/pub" && rm -f libtorch*.so libc10.so libgomp-*.so.* libshm.so libaoti_custom_ops.so libbackend_with_compiler.so \
    libjitbackend_test.so libnnapi_backend.so libtorchbind_test.so libLibTorchSharp.so libSkiaSharp.so )
mkdir -p "$root/.device-pack"
tar -cJf "$root/.device-pack/allreduce.tar.xz" -C "$stage/pub" .
ls -l "$root/.device-pack/allreduce.tar.xz"
