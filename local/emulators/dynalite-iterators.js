'use strict';
// Shared by local/emulators/emulator-process.js (plain Node) and local/emulators/local-services.ts (in-process).
const path = require('path');

// dynalite 4 reads a Query or Scan through a stream whose destroy() calls iterator.return(), a
// method abstract-level 3 iterators do not have (they have close()). So every Query and Scan left
// its memory-level iterator open, and each open iterator pins a snapshot of the whole table:
// dynalite's memory grew with every write of the run (1 GB of events: 2.4 GB). Give the iterators
// the return() dynalite expects; once either package fixes it, the method exists and this is a no-op.
function closeDynaliteIterators() {
  const fromDir = (name, dir) => require.resolve(name, { paths: [dir] });
  const memoryLevel = path.dirname(fromDir('memory-level', path.dirname(require.resolve('dynalite'))));
  const level = require(fromDir('abstract-level', memoryLevel));
  for (const Iterator of [level.AbstractIterator, level.AbstractKeyIterator, level.AbstractValueIterator]) {
    if (typeof Iterator.prototype.return !== 'function') {
      Iterator.prototype.return = function () {
        return this.close();
      };
    }
  }
}

module.exports = { closeDynaliteIterators };
