// Runs dynalite and kinesalite in a process of their own, so that on a multi-core machine the
// emulators and the pipeline they serve do not share one core. Started by startLocalServices
// ({ isolated: true }); reports its ports over IPC and exits when its parent goes away.
// Arguments: <shardLimit> [dataDir]. With a dataDir both emulators keep their data in LevelDB
// files there instead of in memory, so a long replay's memory stays flat (kinesalite never trims
// a stream, so in memory it holds every record ever put).
'use strict';
const path = require('path');
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
  const dataDir = process.argv[3];
  const dynamoStore = dataDir ? { path: path.join(dataDir, 'dynamodb') } : {};
  const kinesisStore = dataDir ? { path: path.join(dataDir, 'kinesis') } : {};
  const dynamoPort = await listen(
    dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, ...dynamoStore }),
  );
  const kinesisPort = await listen(
    kinesalite({ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit, ...kinesisStore }),
  );
  process.send({ dynamoPort, kinesisPort });
}

process.on('disconnect', () => process.exit(0));
main().catch((error) => {
  process.send({ error: String((error && error.stack) || error) });
  process.exit(1);
});
