# shellcheck shell=bash
# Finds a JDK (or, on request, a runtime) of version 21 or newer and exports JAVA_HOME and PATH.
# Sourced by ./cache-proxy and ./run-tests; defines functions only.
#
# Order: $JAVA_HOME if it is new enough, then `java` on PATH, then the newest under /usr/lib/jvm.

CACHE_PROXY_MIN_JAVA=21

# Prints the feature version (17, 21, 25, ...) of the java binary $1, or nothing if it does not run.
java_feature_version() {
  local spec
  spec=$("$1" -XshowSettings:properties -version 2>&1 |
    sed -n 's/^ *java\.specification\.version = *//p' | head -n 1) || return 0
  case "$spec" in
    1.*) echo "${spec#1.}" ;; # 1.8 and older
    *) echo "${spec%%.*}" ;;
  esac
}

# Whether $1 is a Java home with a new enough java (and javac, if $2 is "jdk").
java_home_fits() {
  local home=$1 need=$2 version
  [[ -x "$home/bin/java" ]] || return 1
  if [[ "$need" == jdk && ! -x "$home/bin/javac" ]]; then
    return 1
  fi
  version=$(java_feature_version "$home/bin/java")
  [[ -n "$version" && "$version" -ge "$CACHE_PROXY_MIN_JAVA" ]]
}

# Exports JAVA_HOME and puts its bin first on PATH.
#   find_jdk        needs a JDK (java and javac), as Maven does
#   find_jdk jre    a runtime is enough
# Returns 1 with a message on stderr when there is none.
find_jdk() {
  local need=${1:-jdk} home candidate version best="" best_version=0
  if [[ -n "${JAVA_HOME:-}" ]] && java_home_fits "$JAVA_HOME" "$need"; then
    home=$JAVA_HOME
  elif command -v java >/dev/null 2>&1 &&
    candidate=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")") &&
    java_home_fits "$candidate" "$need"; then
    home=$candidate
  else
    for candidate in /usr/lib/jvm/*; do
      [[ -d "$candidate" && ! -L "$candidate" ]] || continue
      java_home_fits "$candidate" "$need" || continue
      version=$(java_feature_version "$candidate/bin/java")
      if ((version > best_version)); then
        best=$candidate
        best_version=$version
      fi
    done
    home=$best
  fi
  if [[ -z "$home" ]]; then
    local what="JDK"
    [[ "$need" == jdk ]] || what="Java runtime"
    echo "error: cache-proxy needs a $what $CACHE_PROXY_MIN_JAVA or newer, and found none" \
      "(JAVA_HOME=${JAVA_HOME:-unset}, java on PATH: $(command -v java || echo none), /usr/lib/jvm/*)." \
      "Install one (e.g. apt-get install openjdk-21-jdk-headless) or set JAVA_HOME." >&2
    return 1
  fi
  export JAVA_HOME=$home
  export PATH="$JAVA_HOME/bin:$PATH"
}
