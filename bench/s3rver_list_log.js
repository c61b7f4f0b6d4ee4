// Preloaded into tests/s3rver/server.js by bench_listing.sh: one line per listing request served.
// Every GET of a bucket (a ListObjects request) appends the milliseconds from its arrival to the
// end of its response to $FF_BENCH_LIST_LOG, so the bench counts the requests from the server's
// side (not from the client's own metrics) and tells the server's share of a listing's time from
// FleetFuel's. It hooks node's HTTP server, not s3rver's internals.
'use strict';
const fs = require('fs');
const http = require('http');

const logFile = process.env.FF_BENCH_LIST_LOG;
if (!logFile) throw new Error('s3rver_list_log: FF_BENCH_LIST_LOG is not set');

function timeListing(req, res) {
  const path = req.url.split('?', 1)[0];
  if (req.method !== 'GET' || !/^\/[^/]+\/?$/.test(path)) return;
  const started = process.hrtime.bigint();
  res.on('finish', () => {
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    fs.appendFileSync(logFile, `${ms.toFixed(3)}\n`);
  });
}

const createServer = http.createServer;
http.createServer = function createTimedServer(...args) {
  const server = createServer.apply(this, args);
  server.prependListener('request', timeListing);
  return server;
};
