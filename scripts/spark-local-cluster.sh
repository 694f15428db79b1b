#!/usr/bin/env bash
# A Spark standalone master and one worker on 127.0.0.1, from the project's own Maven jars (no Spark download), for
# tests and for trying `mergenet experiment --master spark://...` on one machine. `start` prints the master URL as
# its last line; `stop` kills exactly the processes `start` recorded.
#   scripts/spark-local-cluster.sh start [CORES] [MEMORY]   (default: every core, 4g)
#   scripts/spark-local-cluster.sh stop
# MERGENET_SPARK_CLASSPATH: the classpath to run them with (default: the CLI's, built by ./mergenet).
# MERGENET_SPARK_STATE: the folder of pids, logs and the worker's files (default: target/spark-local-cluster).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
state="${MERGENET_SPARK_STATE:-$root/target/spark-local-cluster}"
cmd="${1:-}"

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

stop() {
  for name in worker master; do
    pid_file="$state/$name.pid"
    [ -f "$pid_file" ] || continue
    pid="$(cat "$pid_file")"
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid"
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
      kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
    fi
    rm -f "$pid_file"
  done
  echo "stopped"
}

case "$cmd" in
  start)
    cores="${2:-$(nproc)}"
    memory="${3:-4g}"
    if [ -f "$state/master.pid" ] && kill -0 "$(cat "$state/master.pid")" 2>/dev/null; then
      echo "spark-local-cluster: already running (pids in $state); stop it first" >&2
      exit 1
    fi
    cp="${MERGENET_SPARK_CLASSPATH:-}"
    if [ -z "$cp" ]; then
      if [ ! -f "$root/cli/target/classpath.txt" ]; then
        (cd "$root" && mvn -q -B -Dstyle.color=never package -DskipTests >&2)
      fi
      cp="$(cat "$root/cli/target/classpath.txt")"
    fi
    mkdir -p "$state/work"
    # the worker starts executors with SPARK_HOME/jars on their classpath: a SPARK_HOME of links to these jars
    rm -rf "$state/spark-home" && mkdir -p "$state/spark-home/jars"
    IFS=':' read -r -a entries <<< "$cp"
    for e in "${entries[@]}"; do
      case "$e" in *.jar) ln -sf "$e" "$state/spark-home/jars/$(basename "$e")" ;; esac
    done
    export SPARK_HOME="$state/spark-home" SPARK_SCALA_VERSION=2.13 SPARK_LOCAL_IP=127.0.0.1
    opens="--add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.invoke=ALL-UNNAMED
--add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED
--add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED
--add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED --add-opens=java.base/jdk.internal.ref=ALL-UNNAMED
--add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/sun.nio.cs=ALL-UNNAMED
--add-opens=java.base/sun.security.action=ALL-UNNAMED --add-opens=java.base/sun.util.calendar=ALL-UNNAMED
-Djdk.reflect.useDirectMethodHandle=false -Dio.netty.tryReflectionSetAccessible=true"
    port="$(free_port)"; ui="$(free_port)"; wport="$(free_port)"; wui="$(free_port)"
    # shellcheck disable=SC2086
    nohup java -Xmx512m $opens -cp "$cp" org.apache.spark.deploy.master.Master --host 127.0.0.1 --port "$port" \
        --webui-port "$ui" > "$state/master.log" 2>&1 &
    echo $! > "$state/master.pid"
    url="spark://127.0.0.1:$port"
    for _ in $(seq 1 300); do
      (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
      kill -0 "$(cat "$state/master.pid")" 2>/dev/null || { echo "spark-local-cluster: the master exited; see $state/master.log" >&2; exit 1; }
      sleep 0.2
    done
    # shellcheck disable=SC2086
    nohup java -Xmx512m $opens -cp "$cp" org.apache.spark.deploy.worker.Worker --host 127.0.0.1 --port "$wport" \
        --webui-port "$wui" --cores "$cores" --memory "$memory" --work-dir "$state/work" "$url" \
        > "$state/worker.log" 2>&1 &
    echo $! > "$state/worker.pid"
    # ready when the master lists the worker as alive
    for _ in $(seq 1 600); do
      if python3 -c "import json,sys,urllib.request; d=json.load(urllib.request.urlopen('http://127.0.0.1:$ui/json')); sys.exit(0 if d.get('aliveworkers',0)>0 else 1)" 2>/dev/null; then
        echo "master $url (web UI http://127.0.0.1:$ui), worker with $cores cores and $memory; pids in $state"
        echo "$url"
        exit 0
      fi
      kill -0 "$(cat "$state/worker.pid")" 2>/dev/null || { echo "spark-local-cluster: the worker exited; see $state/worker.log" >&2; stop >&2; exit 1; }
      sleep 0.2
    done
    echo "spark-local-cluster: the worker did not register in 120 s; see $state/*.log" >&2
    stop >&2
    exit 1
    ;;
  stop) stop ;;
  *) echo "usage: $0 start [CORES] [MEMORY] | stop" >&2; exit 2 ;;
esac
