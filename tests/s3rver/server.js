// Starts @20minutes/s3rver for FleetFuel's tests (the package ships no CLI).
// Usage: node server.js --port N --dir DIR [--bucket NAME]... [--key FILE --cert FILE]
'use strict';
const fs = require('fs');
const S3rver = require('@20minutes/s3rver');

const args = process.argv.slice(2);
const opts = { port: 0, dir: null, buckets: [], key: null, cert: null };
for (let i = 0; i < args.length; i += 2) {
  const [flag, value] = [args[i], args[i + 1]];
  if (flag === '--port') opts.port = Number(value);
  else if (flag === '--dir') opts.dir = value;
  else if (flag === '--bucket') opts.buckets.push(value);
  else if (flag === '--key') opts.key = fs.readFileSync(value);
  else if (flag === '--cert') opts.cert = fs.readFileSync(value);
  else { console.error(`unknown flag ${flag}`); process.exit(2); }
}
if (!opts.dir) { console.error('--dir is required'); process.exit(2); }

const config = {
  address: '127.0.0.1',
  port: opts.port,
  directory: opts.dir,
  vhostBuckets: false,
  silent: true,
  configureBuckets: opts.buckets.map((name) => ({ name })),
};
if (opts.key) { config.key = opts.key; config.cert = opts.cert; }

new S3rver(config).run().then((addr) => {
  console.log(`s3rver listening on ${addr.address}:${addr.port}`);
}).catch((err) => { console.error(err); process.exit(1); });
