// Runs dynalite and kinesalite in a process of their own, so that on a multi-core machine the
// emulators and the pipeline they serve do not share one core. Started by startLocalServices
// ({ isolated: true }); reports its ports over IPC and exits when its parent goes away.
'use strict';
const dynalite = require('dynalite');
const kinesalite = require('kinesalite');

function listen(server) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server.address().port));
  });
}

async function main() {
  const shardLimit = Number(process.argv[2] || 100);
  const dynamoPort = await listen(dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 }));
  const kinesisPort = await listen(
    kinesalite({ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit }),
  );
  process.send({ dynamoPort, kinesisPort });
}

process.on('disconnect', () => process.exit(0));
main().catch((error) => {
  process.send({ error: String((error && error.stack) || error) });
  process.exit(1);
});
