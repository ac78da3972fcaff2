// Starts the signature-checking S3 API server (@20minutes/s3rver, credentials S3RVER/S3RVER) on
// 127.0.0.1 at a free port and writes "http://127.0.0.1:PORT" to the file given as argv[3].
// Usage: node s3rver.js DATA_DIR ENDPOINT_FILE [BUCKET...]
// Needs NODE_OPTIONS=--openssl-legacy-provider (listing pages fail with 500 otherwise).
const fs = require('fs');
const path = require('path');
const S3rver = require(path.join(__dirname, '..', '..', '.deps', 'peers', 'node_modules', '@20minutes', 's3rver'));

const [directory, endpointFile, ...buckets] = process.argv.slice(2);
const server = new S3rver({
  address: '127.0.0.1',
  port: 0,
  silent: true,
  directory,
  configureBuckets: buckets.map((name) => ({ name })),
});
server.run().then((address) => {
  const tmp = endpointFile + '.tmp';
  fs.writeFileSync(tmp, `http://127.0.0.1:${address.port}\n`);
  fs.renameSync(tmp, endpointFile);
}, (err) => {
  console.error(`s3rver: ${err.stack || err}`);
  process.exit(1);
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.close().then(() => process.exit(0)));
