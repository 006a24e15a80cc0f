// Runs dynalite and kinesalite in a process of their own, so that on a multi-core machine the
// emulators and the pipeline they serve do not share one core. Started by startLocalServices
// ({ isolated: true }); reports its ports over IPC and exits when its parent goes away.
// Arguments: <shardLimit> [both|dynamodb|kinesis] [dataDir]: which emulators to run here (one
// process each lets the two use different cores). With a dataDir kinesalite keeps its records in LevelDB files
// there instead of in memory, so a long replay's memory stays flat (kinesalite never trims a
// stream, so in memory it holds every record ever put). dynalite stays in memory: its data grows
// with the accounts and their links, not with every write (see closeDynaliteIterators), and on disk
// it is several times slower. When its parent goes away it removes dataDir before exiting, so even
// a parent killed outright leaves no folder behind.
'use strict';
const fs = require('fs');
const path = require('path');
const dynalite = require('dynalite');
const kinesalite = require('kinesalite');
const { closeDynaliteIterators } = require('./dynalite-iterators');

function listen(server) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server.address().port));
  });
}

async function main() {
  const shardLimit = Number(process.argv[2] || 100);
  const which = process.argv[3] || 'both';
  const dataDir = process.argv[4];
  const kinesisStore = dataDir ? { path: path.join(dataDir, 'kinesis') } : {};
  const ports = {};
  if (which !== 'kinesis') {
    closeDynaliteIterators();
    ports.dynamoPort = await listen(dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 }));
  }
  if (which !== 'dynamodb') {
    ports.kinesisPort = await listen(
      kinesalite({ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit, ...kinesisStore }),
    );
  }
  send(ports);
}

/** The parent is gone (even killed with SIGKILL): take the stream's files with us, and exit. */
function orphaned() {
  if (process.argv[4]) fs.rmSync(process.argv[4], { recursive: true, force: true });
  process.exit(0);
}

/** Reports to the parent; if it is gone already (EPIPE), exits as orphaned. */
function send(message) {
  if (!process.connected) return orphaned();
  process.send(message, (error) => {
    if (error) orphaned();
  });
}

process.on('disconnect', orphaned);
main().catch((error) => {
  send({ error: String((error && error.stack) || error) });
  process.exitCode = 1;
});
