# shellcheck shell=bash
# Finds a JDK 21+ for Fanout's scripts: JAVA_HOME, then java on PATH, then the newest under /usr/lib/jvm.
# Sets JAVA_HOME and JAVA, and says on stderr which one it uses.

fanout_java_major() { # prints the major version of the java binary $1, or nothing
  # The JDK's release file says it without starting a JVM (which costs ~0.5 s of CPU on every command); a java
  # without one (an unusual layout) is asked.
  local release major
  release="$(dirname "$(dirname "$1")")/release"
  if [ -r "$release" ]; then
    major=$(awk -F'"' '/^JAVA_VERSION=/ {v=$2; sub(/^1\./, "", v); sub(/[^0-9].*$/, "", v); print v; exit}' \
      "$release")
    if [ -n "$major" ]; then
      echo "$major"
      return
    fi
  fi
  "$1" -XshowSettings:properties -version 2>&1 \
    | awk -F'= ' '/java.specification.version/ {v=$2; sub(/^1\./, "", v); print v; exit}'
}

fanout_find_java() {
  local candidate major best="" best_major=0
  local -a candidates=()
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME/bin/java")
  if command -v java >/dev/null 2>&1; then
    candidates+=("$(readlink -f "$(command -v java)")")
  fi
  for candidate in "${candidates[@]}"; do
    [ -x "$candidate" ] || continue
    major=$(fanout_java_major "$candidate")
    if [ -n "$major" ] && [ "$major" -ge 21 ]; then
      best="$candidate"; best_major="$major"; break
    fi
  done
  if [ -z "$best" ]; then
    for candidate in /usr/lib/jvm/*/bin/java; do
      [ -x "$candidate" ] || continue
      major=$(fanout_java_major "$candidate")
      if [ -n "$major" ] && [ "$major" -ge 21 ] && [ "$major" -gt "$best_major" ]; then
        best="$candidate"; best_major="$major"
      fi
    done
  fi
  if [ -z "$best" ]; then
    echo "fanout: no JDK 21 or newer found (looked at JAVA_HOME, java on PATH, /usr/lib/jvm/*)." >&2
    echo "fanout: install one (e.g. apt-get install openjdk-21-jdk) or set JAVA_HOME to it." >&2
    return 1
  fi
  JAVA="$best"
  JAVA_HOME="$(dirname "$(dirname "$best")")"
  export JAVA_HOME JAVA
  echo "fanout: using JDK $best_major at $JAVA_HOME" >&2
}
