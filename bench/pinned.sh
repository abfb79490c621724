#!/usr/bin/env bash
# The pinned HTTP A/B for a machine with 16 or more cores, run from the folder `bench/run package` makes (that machine
# needs no .NET, wrk or nginx: the package carries them). wrk -t4 runs on cores 0-3, the proxy under test on 4-7 and
# the upstream (bench/Upstream) on 12-15. Paths: direct to the upstream, plain YARP 2.3 (bench/PlainYarp), nginx with
# 4 workers, the gateway as `bench/run http` starts it (metrics on and scraped every 5 s, player accounting on), and
# the same gateway with inline socket completions off (gateway-pool);
# every request carries the next of 10,000 players' tickets. Each path is warmed for 20 s, then the paths alternate
# round after round; the last table gives the medians and the gateway's ratios to plain YARP.
#   bash pinned.sh [rounds=5] [seconds=10] [connections=256]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
rounds=${1:-5} seconds=${2:-10} connections=${3:-256}
# WRK_CORES, PROXY_CORES and UPSTREAM_CORES move the pinning (a rehearsal on a small machine: all three 0-1).
wrk_cores=${WRK_CORES:-0-3} proxy_cores=${PROXY_CORES:-4-7} upstream_cores=${UPSTREAM_CORES:-12-15}
if [ -z "${PROXY_CORES:-}" ] && [ "$(nproc)" -lt 16 ]; then
  echo "pinned.sh needs 16 cores (wrk 0-3, proxy 4-7, upstream 12-15); this machine has $(nproc). Set WRK_CORES, PROXY_CORES and UPSTREAM_CORES to rehearse." >&2
  exit 2
fi
# shellcheck source=/dev/null
source "$here/settings.sh"
run=$(mktemp -d)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$run"; }
trap cleanup EXIT

mkdir -p "$run/dotnet" && tar -xJf "$here/dotnet.tar.xz" -C "$run/dotnet"
export DOTNET_ROOT="$run/dotnet" PATH="$run/dotnet:$here/bin:$PATH" LD_LIBRARY_PATH="$here/lib"
export DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 ASPNETCORE_ENVIRONMENT=Production
cp -r "$here/work" "$run/work"
yarp_port=18081 nginx_port=18082 gateway_port=18083 management_port=18093 pool_port=18084 pool_management_port=18094

start() { # cores name command...
  local cores=$1 name=$2; shift 2
  (cd "$run/work" && exec taskset -c "$cores" "$@" >"$run/$name.log" 2>&1) &
  pids+=($!)
  eval "${name//-/_}_pid=$!"
}
listening() { until (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; do sleep 0.2; done; }

start "$upstream_cores" upstream dotnet "$here/upstream/RedWhite.Upstream.dll" --urls "http://127.0.0.1:$UPSTREAM_PORT"
start "$proxy_cores" plain-yarp dotnet "$here/plain-yarp/RedWhite.PlainYarp.dll" --urls "http://127.0.0.1:$yarp_port" --Upstream="http://127.0.0.1:$UPSTREAM_PORT/"
gateway() { # name port management-port extra settings...
  local name=$1 port=$2 management=$3; shift 3
  start "$proxy_cores" "$name" dotnet "$here/gateway/RedWhite.Gateway.dll" --urls "http://127.0.0.1:$port" \
    --Registry:Store=File --Registry:File="$run/work/clusters.json" --Tickets:SigningKeys:bench="$SIGNING_KEY" --Tickets:ActiveKeyId=bench \
    --Admin:ApiKeys:bench:Key="$ADMIN_KEY" --Admin:ApiKeys:bench:Role=ReleaseManager --Serilog:MinimumLevel:Default=Warning \
    --Registry:SnapshotPath="$run/$name.snapshot.json" --Management:Urls="http://127.0.0.1:$management" "$@"
}
gateway gateway "$gateway_port" "$management_port"
# The suspect for the doubled tail on many cores: with inline completions (the default) each socket's requests run on
# the one socket-engine thread that owns it, with no stealing between them; this one hands them to the thread pool.
gateway gateway-pool "$pool_port" "$pool_management_port" --Gateway:InlineSocketCompletions=false
mkdir -p "$run/nginx"
sed -e "s|__PREFIX__|$run/nginx|; s|__UPSTREAM_PORT__|$UPSTREAM_PORT|; s|__PORT__|$nginx_port|; s|worker_processes auto|worker_processes 4|" \
  "$here/nginx.conf.template" >"$run/nginx/nginx.conf"
start "$proxy_cores" nginx nginx -p "$run/nginx" -c "$run/nginx/nginx.conf" -g "daemon off;"
for port in "$UPSTREAM_PORT" "$yarp_port" "$nginx_port" "$gateway_port" "$management_port" "$pool_port" "$pool_management_port"; do listening "$port"; done

# Metrics scraped as Prometheus would, every 5 s, for as long as the run lasts.
(while sleep 5; do
   for port in "$management_port" "$pool_management_port"; do
     exec 3<>"/dev/tcp/127.0.0.1/$port" && printf 'GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' >&3 && cat <&3 >/dev/null
     exec 3<&-
   done
 done) &
pids+=($!)

cpu_ticks() { # user+kernel clock ticks of a process and its children
  local total=0 stat fields
  for stat in /proc/[0-9]*/stat; do
    stat=$(cat "$stat" 2>/dev/null) || continue
    read -r -a fields <<<"${stat##*) }"
    if [ "${stat%% *}" = "$1" ] || [ "${fields[1]}" = "$1" ]; then total=$((total + fields[11] + fields[12])); fi
  done
  echo "$total"
}

export RW_TICKETS_FILE="$here/tickets.txt"
measure() { # name url pid duration: one wrk run, "rps p99_ms cpu_us_per_request"
  local before after out
  before=$(cpu_ticks "$3")
  out=$(taskset -c "$wrk_cores" wrk -t4 -c"$connections" -d"$4" --latency --timeout 5s -s "$here/tickets.lua" "$2/game/state")
  after=$(cpu_ticks "$3")
  awk -v ticks=$((after - before)) -v hz="$(getconf CLK_TCK)" '
    /Requests\/sec:/ { rps = $2 }
    / requests in / { requests = $1 }
    /^ +99%/ { v = $2; unit = v; gsub(/[0-9.]/, "", unit); sub(/[a-z]+$/, "", v); p99 = unit == "us" ? v / 1000 : unit == "s" ? v * 1000 : v }
    /Non-2xx|Socket errors/ { errors = errors " " $0 }
    END { printf "%s %.2f %.1f%s\n", rps, p99, ticks * 1e6 / hz / requests, errors ? " ERRORS:" errors : "" }' <<<"$out"
}

paths=("direct http://127.0.0.1:$UPSTREAM_PORT $upstream_pid" "plain-yarp http://127.0.0.1:$yarp_port $plain_yarp_pid"
       "nginx http://127.0.0.1:$nginx_port $nginx_pid" "gateway http://127.0.0.1:$gateway_port $gateway_pid"
       "gateway-pool http://127.0.0.1:$pool_port $gateway_pool_pid")
echo "Pinned A/B on $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)): wrk -t4 -c$connections on $wrk_cores, proxy on $proxy_cores, upstream on $upstream_cores; $rounds rounds of ${seconds} s."
for path in "${paths[@]}"; do read -r name url pid <<<"$path"; measure "$name" "$url" "$pid" 20s >/dev/null; done
echo
echo "| round | path | requests/s | p99 ms | CPU µs/request (user + kernel) |"
echo "| ---: | --- | ---: | ---: | ---: |"
for ((round = 1; round <= rounds; round++)); do
  order=()
  for ((i = 0; i < ${#paths[@]}; i++)); do
    if ((round % 2 == 0)); then order+=("${paths[${#paths[@]} - 1 - i]}"); else order+=("${paths[i]}"); fi
  done
  for path in "${order[@]}"; do
    read -r name url pid <<<"$path"
    read -r rps p99 cpu rest <<<"$(measure "$name" "$url" "$pid" "${seconds}s")"
    echo "| $round | $name | $rps | $p99 | $cpu ${rest:-} |"
    echo "$name $rps $p99 $cpu" >>"$run/results"
  done
done
echo
echo "| path | requests/s (median) | p99 ms (median) | CPU µs/request (median) | vs plain YARP: requests/s | p99 | CPU |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
declare -A m
for name in direct plain-yarp nginx gateway gateway-pool; do
  for column in 2 3 4; do m[$name,$column]=$(awk -v n="$name" -v c="$column" '$1 == n { print $c }' "$run/results" | median); done
done
for name in direct plain-yarp nginx gateway gateway-pool; do
  awk -v n="$name" -v r="${m[$name,2]}" -v p="${m[$name,3]}" -v c="${m[$name,4]}" -v yr="${m[plain-yarp,2]}" -v yp="${m[plain-yarp,3]}" -v yc="${m[plain-yarp,4]}" \
    'BEGIN { printf "| %s | %.0f | %.2f | %.1f | %.2fx | %.2fx | %.2fx |\n", n, r, p, c, r / yr, p / yp, c / yc }'
done
