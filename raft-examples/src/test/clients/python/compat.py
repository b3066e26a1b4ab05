"""The Python client of the KV node's compatibility matrix: redis-py (Debian's python3-redis) against a running
cluster. Usage: python3 compat.py PORT [PORT...]. Exits 0 if every check passed; raises (exit 1) otherwise."""
import sys

import redis


def exercise(r, p):
    assert r.ping() is True
    assert r.set(p + "k", "v") is True
    assert r.get(p + "k") == b"v"
    assert r.incr(p + "n") == 1
    assert r.mset({p + "a": "1", p + "b": "2"}) is True
    assert r.mget(p + "a", p + "b", p + "none") == [b"1", b"2", None]
    assert r.setnx(p + "a", "x") is False
    assert r.getset(p + "b", "3") == b"2"
    assert r.hset(p + "h", mapping={"f1": "1", "f2": "2"}) == 2
    assert r.hgetall(p + "h") == {b"f1": b"1", b"f2": b"2"}
    assert r.hincrby(p + "h", "f1", 9) == 10
    assert r.type(p + "h") == b"hash"
    try:
        r.get(p + "h")
        raise AssertionError("GET of a hash must fail")
    except redis.ResponseError as e:
        assert str(e).startswith("WRONGTYPE"), e
    assert sorted(r.scan_iter(match=p + "*", count=2)) == sorted(
        x.encode() for x in (p + "k", p + "n", p + "a", p + "b", p + "h"))
    assert len(r.keys(p + "*")) == 5

    with r.pipeline(transaction=True) as tx:
        tx.set(p + "k", "in-tx")
        tx.incr(p + "n")
        assert tx.execute() == [True, 2]

    def increment(pipe):
        value = int(pipe.get(p + "n"))
        pipe.multi()
        pipe.set(p + "n", value + 1)
    r.transaction(increment, p + "n")  # WATCH, GET, MULTI, SET, EXEC
    assert r.get(p + "n") == b"3"

    with r.pipeline(transaction=False) as pipe:
        for _ in range(100):
            pipe.incr(p + "pipe")
        assert pipe.execute() == list(range(1, 101))
    assert r.delete(p + "k", p + "n", p + "a", p + "b", p + "h", p + "pipe") == 6
    assert "redis_version" in r.info("server")


def main(ports):
    for port in ports:
        plain = redis.Redis(host="127.0.0.1", port=port, socket_timeout=30)
        exercise(plain, "py:%d:default:" % port)
        plain.close()
        named = redis.Redis(host="127.0.0.1", port=port, db=0, client_name="keel-py-app", socket_timeout=30)
        assert named.client_getname() == "keel-py-app"
        exercise(named, "py:%d:named:" % port)
        named.close()
        print("redis-py %s on port %d: ok" % (redis.__version__, port))


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: python3 compat.py PORT [PORT...]")
    main([int(a) for a in sys.argv[1:]])
