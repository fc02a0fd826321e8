#!/usr/bin/env bash
# Sets up a fresh Debian or Ubuntu machine for the tests, then builds, lints, type-checks and runs
# every test against real rsync, a real sshd on loopback, and the benchmark's smoke run.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
npm run lint
npm run typecheck
npx vitest run
npm run bench -- --smoke
