// The Node.js client of the KV node's compatibility matrix: ioredis against a running cluster.
// Usage: node compat.js PORT [PORT...]   Exits 0 if every check passed; prints what failed otherwise.
'use strict';
const Redis = require('ioredis');
const assert = require('node:assert/strict');

async function exercise(redis, p) {
  assert.equal(await redis.ping(), 'PONG');
  assert.equal(await redis.set(p + 'k', 'v'), 'OK');
  assert.equal(await redis.get(p + 'k'), 'v');
  assert.equal(await redis.incr(p + 'n'), 1);
  assert.equal(await redis.mset(p + 'a', '1', p + 'b', '2'), 'OK');
  assert.deepEqual(await redis.mget(p + 'a', p + 'b', p + 'none'), ['1', '2', null]);
  assert.equal(await redis.hset(p + 'h', { f1: '1', f2: '2' }), 2);
  assert.deepEqual(await redis.hgetall(p + 'h'), { f1: '1', f2: '2' });
  assert.equal(await redis.hincrby(p + 'h', 'f1', 9), 10);
  assert.equal(await redis.type(p + 'h'), 'hash');
  await assert.rejects(redis.get(p + 'h'), /WRONGTYPE/);

  const seen = new Set();
  await new Promise((resolve, reject) => {
    redis.scanStream({ match: p + '*', count: 2 })
      .on('data', (keys) => keys.forEach((k) => seen.add(k)))
      .on('end', resolve)
      .on('error', reject);
  });
  assert.deepEqual([...seen].sort(), [p + 'a', p + 'b', p + 'h', p + 'k', p + 'n'].sort());

  await redis.watch(p + 'k');
  const tx = await redis.multi().set(p + 'k', 'in-tx').incr(p + 'n').exec();
  assert.deepEqual(tx, [[null, 'OK'], [null, 2]]);
  assert.equal(await redis.get(p + 'k'), 'in-tx');

  const pipe = redis.pipeline();
  for (let i = 0; i < 100; i++) pipe.incr(p + 'pipe');
  const results = await pipe.exec();
  assert.deepEqual(results.map((r) => r[1]), Array.from({ length: 100 }, (_, i) => i + 1));
  assert.equal(await redis.del(p + 'k', p + 'n', p + 'a', p + 'b', p + 'h', p + 'pipe'), 6);
}

async function main() {
  const ports = process.argv.slice(2).map(Number);
  if (ports.length === 0) throw new Error('usage: node compat.js PORT [PORT...]');
  for (const port of ports) {
    // Default settings (the ready check reads INFO), then a connection name and database 0.
    const plain = new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: 1, lazyConnect: true });
    await plain.connect();
    await exercise(plain, `node:${port}:default:`);
    plain.disconnect();

    const named = new Redis({ host: '127.0.0.1', port, connectionName: 'keel-node-app', db: 0,
      maxRetriesPerRequest: 1, lazyConnect: true });
    await named.connect();
    assert.equal(await named.client('GETNAME'), 'keel-node-app');
    await exercise(named, `node:${port}:named:`);
    named.disconnect();
    console.log(`ioredis ${require('ioredis/package.json').version} on port ${port}: ok`);
  }
}

main().then(() => process.exit(0), (e) => {
  console.error('FAILED:', e && e.stack ? e.stack : e);
  process.exit(1);
});
