// Loaded (node -r) into jsii's kernel when build/jsii-node starts it without
// jsii's launcher process; see there. The kernel writes its API answers to
// fd 3, which jsii-node opened read-only on the app's requests: they go to
// fd 4, the app's end. The kernel's console output goes to stderr as one
// JSON line per write, {"stdout": base64} or {"stderr": base64}, as the
// launcher sends it, and the app prints it to its own stdout or stderr.
'use strict';
const fs = require('fs');
const writeSync = fs.writeSync;
fs.writeSync = function (fd, ...rest) {
  return writeSync.call(this, fd === 3 ? 4 : fd, ...rest);
};
function relay(key) {
  return function write(chunk, encoding, callback) {
    if (typeof encoding === 'function') {
      callback = encoding;
      encoding = undefined;
    }
    const bytes = ArrayBuffer.isView(chunk)
      ? Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
      : Buffer.from(String(chunk), typeof encoding === 'string' ? encoding : 'utf8');
    writeSync(2, JSON.stringify({ [key]: bytes.toString('base64') }) + '\n');
    if (typeof callback === 'function') {
      process.nextTick(callback);
    }
    return true;
  };
}
process.stdout.write = relay('stdout');
process.stderr.write = relay('stderr');
