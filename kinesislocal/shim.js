// Loaded with `node -r` before kinesis-local: every TCP listener binds to
// 127.0.0.1. kinesis-local binds 0.0.0.0 and has no setting for the host,
// and a test server must not be reachable from the network.
'use strict';
const net = require('net');
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  const first = args[0];
  if (first !== null && typeof first === 'object' && 'port' in first) {
    args[0] = Object.assign({}, first, { host: '127.0.0.1' });
  } else if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) {
    // listen(port[, host][, backlog][, callback])
    if (args.length < 2 || args[1] === null || args[1] === undefined || typeof args[1] === 'string') {
      args[1] = '127.0.0.1';
    } else {
      args.splice(1, 0, '127.0.0.1');
    }
  }
  return listen.apply(this, args);
};

// Node.js compiles kinesis-local's 9 MB main.js on every start unless
// NODE_COMPILE_CACHE names a compile cache (Start sets it). Node writes the
// cache at exit, which a server stopped with SIGKILL never reaches: write it
// once the server listens, when its start-up code has been compiled.
const mod = require('module');
if (typeof mod.flushCompileCache === 'function' && mod.getCompileCacheDir && mod.getCompileCacheDir()) {
  let flushed = false;
  const flushOnce = () => {
    if (!flushed) {
      flushed = true;
      setImmediate(() => mod.flushCompileCache());
    }
  };
  const listening = net.Server.prototype.listen;
  net.Server.prototype.listen = function (...args) {
    flushOnce();
    return listening.apply(this, args);
  };
}
