#!/usr/bin/env bash
# Scale-out check of DigitWebApp: 3 replicas on loopback ports behind nginx (Debian's package), 20,000
# requests of real MNIST digits, 16 at a time; run 1 kills a replica halfway, run 2 swaps model.zip a
# quarter of the way. Prints (and writes to artifacts/scale-out/report.txt) sent/succeeded/failed,
# throughput and p50/p99 latency. Everything it starts is stopped when it ends.
#   samples/ScaleOut/scale-out.sh [--requests 20000] [--concurrency 16] [--replicas 3] [--scenario kill|swap|both]
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || { echo "nginx is needed: apt-get install -y nginx-light" >&2; exit 1; }
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
: "${MNIST_DATA_DIR:=data/mnist}"
dotnet build samples/ScaleOut/ScaleOut.csproj -c Release -nologo -v q
exec dotnet samples/ScaleOut/bin/Release/net10.0/ScaleOut.dll --mnist "$MNIST_DATA_DIR" --models artifacts/scale-out \
  --report artifacts/scale-out/report.txt "$@"
