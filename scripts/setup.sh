#!/usr/bin/env bash
# Installs the system packages the test suite needs, only when missing (Debian 12):
#   postgresql-15  the suite's second database pass runs on Debian's PostgreSQL 15
#   chromium       the browser tests (playwright-core drives /usr/bin/chromium; axe-core checks WCAG 2.1 AA)
#   libxml2-utils  xmllint: the pagoPA tests validate our real SOAP responses against the official XSD
# Installing postgresql-15 creates and tries to start a default cluster (15/main on port 5432). The tests do not
# use it (they start their own throwaway clusters on free ports), so whether it starts or not does not matter.
set -euo pipefail

packages=()
[[ -x /usr/lib/postgresql/15/bin/initdb ]] || packages+=(postgresql-15)
[[ -x /usr/bin/chromium ]] || packages+=(chromium)
[[ -x /usr/bin/xmllint ]] || packages+=(libxml2-utils)

if [[ ${#packages[@]} -eq 0 ]]; then
  echo "setup: postgresql-15, chromium and libxml2-utils already installed"
  exit 0
fi

sudo=()
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then
    sudo=(sudo)
  else
    # Not fatal here: npm test skips those passes on a workstation (and fails in CI, where they are required).
    echo "setup: missing ${packages[*]}; install them with apt-get as root" >&2
    exit 0
  fi
fi

echo "setup: installing ${packages[*]}"
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
# postgresql-15's postinst ends with `invoke-rc.d postgresql start`; where that start fails (no init system,
# port 5432 taken) dpkg reports the package half-configured, but the binaries the tests use are in place. So an
# apt-get error is not fatal by itself: what counts is the check below.
if ! "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
  -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
  "${packages[@]}"; then
  echo "setup: apt-get install reported an error; checking what was installed" >&2
fi

for binary in /usr/lib/postgresql/15/bin/initdb /usr/bin/chromium /usr/bin/xmllint; do
  [[ -x $binary ]] || { echo "setup: $binary still missing after apt-get install" >&2; exit 1; }
done
