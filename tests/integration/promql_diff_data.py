#!/usr/bin/env python3
"""Test data of the PromQL differential test (promql_differential_test.sh).

Generates ~1.5 h of samples, one scrape every 15 s, for every metric the seed configurations
(../shared/examples/seed-configs) query plus the ones promql_diff_queries.txt needs, and sends the
identical remote-write requests to every URL given. Python standard library only: the protobuf
WriteRequest is encoded by hand (four small messages) and compressed as a snappy block made of
literal elements only, which every snappy decoder accepts (a block needs no copy elements).

Timing contract (what makes the answers of Prometheus 2.42 and 3.x identical):
  * every sample's timestamp is base + 15 s * k + 3 s + a per-target phase and jitter that keep
    its millisecond part within [150, 850], so no sample ever falls on a whole second: a query
    evaluated at whole seconds, with whole-second ranges, offsets, @ times and subquery steps, never
    has a sample on a range boundary, where 2.42 (closed ranges) and 3.x (left-open) differ;
  * requests go oldest first, each covering 5 min of every series in time order, so Prometheus's
    head (which rejects samples older than its newest minus 1 h) accepts them all;
  * the data ends two minutes before the moment the generator runs.
COUNTERS start at the values a long-running process would have (one restarts from 0 midway), not
near 0: when a counter series starts inside a rate() window, Prometheus 2.42 and 3.x (since 2.51,
prometheus/prometheus#13725) limit the extrapolation towards its zero point differently, so the
data avoids series that start near zero; the restart is mid-series, where both agree.

Usage: promql_diff_data.py --meta FILE URL...
Writes FILE as JSON: {"base": seconds, "last_sample": seconds, "samples": n, "series": n}
where "samples" counts the float samples sent (staleness markers excluded). Exit status 1 when
a receiver does not answer 2xx.
"""

import argparse
import json
import math
import random
import struct
import sys
import time
import urllib.request

STEP_S = 15
STEPS = 360  # 90 minutes
STALE_NAN = struct.unpack("<d", struct.pack("<Q", 0x7FF0000000000002))[0]
STALE_BITS = 0x7FF0000000000002


# --- protobuf and snappy -------------------------------------------------------------------

def _varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def _field_bytes(field, payload):
    return _varint(field << 3 | 2) + _varint(len(payload)) + payload


def _encode_sample(t_ms, value, stale):
    # Sample{double value = 1; int64 timestamp = 2;}
    bits = STALE_BITS if stale else struct.unpack("<Q", struct.pack("<d", value))[0]
    return (_varint(1 << 3 | 1) + struct.pack("<Q", bits) +
            _varint(2 << 3 | 0) + _varint(t_ms & 0xFFFFFFFFFFFFFFFF))


def encode_write_request(series):
    """series: list of (labels dict, [(t_ms, value, stale)]) -> WriteRequest bytes."""
    out = bytearray()
    for labels, samples in series:
        ts = bytearray()
        for name in sorted(labels):
            label = _field_bytes(1, name.encode()) + _field_bytes(2, labels[name].encode())
            ts += _field_bytes(1, label)
        for t_ms, value, stale in samples:
            ts += _field_bytes(2, _encode_sample(t_ms, value, stale))
        out += _field_bytes(1, bytes(ts))
    return bytes(out)


def snappy_literal_block(data):
    """A valid snappy block: the uncompressed length, then literal elements of <= 64 KiB."""
    out = bytearray(_varint(len(data)))
    for pos in range(0, len(data), 65536):
        chunk = data[pos:pos + 65536]
        n = len(chunk) - 1
        if n < 60:
            out.append(n << 2)
        else:  # tag 61: length - 1 in the next two bytes, little endian
            out.append(61 << 2)
            out += struct.pack("<H", n)
        out += chunk
    return bytes(out)


# --- the simulated world ---------------------------------------------------------------------

class Series:
    def __init__(self, labels):
        self.labels = labels
        self.samples = {}  # k -> (t_ms, value, stale)

    def add(self, k, t_ms, value, stale=False):
        self.samples[k] = (t_ms, float(value), stale)


class World:
    def __init__(self, base_ms, seed=20230131):
        self.base_ms = base_ms
        self.rng = random.Random(seed)
        self.series = {}
        self.phase = {}

    def get(self, name, **labels):
        labels = dict(labels, __name__=name)
        key = tuple(sorted(labels.items()))
        if key not in self.series:
            self.series[key] = Series(labels)
        return self.series[key]

    def scrape_time(self, instance, k):
        """Timestamp of target `instance`'s k-th scrape; its millisecond part is in [150, 850]."""
        if instance not in self.phase:
            self.phase[instance] = 300 + (len(self.phase) * 137) % 400
        jitter = self.rng.randint(-150, 150)
        return self.base_ms + k * STEP_S * 1000 + 3000 + self.phase[instance] + jitter


def wave(k, period, phase=0.0):
    return math.sin(2 * math.pi * (k / period + phase))


def lognormal_cdf(x, median, sigma):
    if x == math.inf:
        return 1.0
    return 0.5 * (1 + math.erf(math.log(x / median) / (sigma * math.sqrt(2))))


class Histogram:
    """A classic histogram's cumulative _bucket, _sum and _count counters."""

    def __init__(self, world, name, bounds, **labels):
        self.world, self.name, self.bounds, self.labels = world, name, bounds + [math.inf], labels
        self.reset()

    def reset(self):
        self.cum = [0] * len(self.bounds)
        self.total = 0.0

    def preload(self, n, median, sigma):
        """Observations made before the data starts (see COUNTERS in the module comment)."""
        self.cum = [round(n * lognormal_cdf(le, median, sigma)) for le in self.bounds]
        self.total = n * median * math.exp(sigma * sigma / 2)

    def observe(self, k, t_ms, n, median, sigma):
        for i, le in enumerate(self.bounds):
            self.cum[i] += round(n * lognormal_cdf(le, median, sigma))
        noise = 1 + 0.05 * self.world.rng.uniform(-1, 1)
        self.total += n * median * math.exp(sigma * sigma / 2) * noise
        for i, le in enumerate(self.bounds):
            le_s = "+Inf" if le == math.inf else repr(float(le))
            self.world.get(self.name + "_bucket", le=le_s, **self.labels).add(k, t_ms, self.cum[i])
        self.world.get(self.name + "_sum", **self.labels).add(k, t_ms, self.total)
        self.world.get(self.name + "_count", **self.labels).add(k, t_ms, self.cum[-1])


def simulate(world):
    rng = world.rng
    api = ["api-1:9091", "api-2:9091", "api-3:9091"]
    base_rps = {"api-1:9091": 40.0, "api-2:9091": 25.0, "api-3:9091": 6.0}
    routes = [("GET", "200", 0.80), ("GET", "404", 0.05), ("GET", "500", 0.0),
              ("POST", "201", 0.13), ("POST", "400", 0.02), ("POST", "503", 0.0)]
    requests = {i: {(m, s): round(base_rps[i] * 86400 * (share or 0.005)) for m, s, share in routes}
                for i in api}
    latency = {i: Histogram(world, "http_request_duration_seconds",
                            [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], job="rental-ml-api", instance=i)
               for i in api}
    for i in api:
        latency[i].preload(sum(requests[i].values()), 0.15, 0.6)
    start_time = {i: world.base_ms / 1000 - 86400 * (n + 1) for n, i in enumerate(api)}

    models = ["recommender", "pricing", "search_ranker"]
    ml_total = {m: 2_000_000 + 500_000 * n for n, m in enumerate(models)}
    ml_errors = {m: 9_000 + 4_000 * n for n, m in enumerate(models)}
    ml_latency = {m: Histogram(world, "ml_inference_duration_seconds",
                               [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5], job="ml-models",
                               instance="ml-service:9092", model_name=m) for m in models}
    for n, m in enumerate(models):
        ml_latency[m].preload(ml_total[m], 0.1 + 0.1 * n, 0.5)
    reco = Histogram(world, "recommendation_generation_duration_seconds", [0.5, 1, 2.5, 5, 10],
                     job="ml-models", instance="ml-service:9092")
    reco.preload(400_000, 1.6, 0.45)

    pg = {"rental": [9.0e7, 1.0e6], "postgres": [2.0e6, 1.5e5]}
    redis = [6.9e5, 3.1e5]
    nodes = ["node-exporter:9100", "node-2:9100"]
    cpu_seconds = {(n, c, m): 1000.0 * (c + 1) for n in nodes for c in (0, 1)
                   for m in ("idle", "user", "system", "iowait")}
    fs_avail = {("node-exporter:9100", "/"): 40e9, ("node-exporter:9100", "/data"): 90e9,
                ("node-2:9100", "/"): 30e9, ("node-2:9100", "/data"): 20e9}
    fs_size = {"/": 100e9, "/data": 500e9}

    for k in range(STEPS):
        # --- rental-ml-api: request counters, latency histograms, pool gauges, up
        for n, inst in enumerate(api):
            t = world.scrape_time(inst, k)
            down = inst == "api-1:9091" and 220 <= k < 224  # four failed scrapes
            world.get("up", job="rental-ml-api", instance=inst).add(k, t, 0 if down else 1)
            if inst == "api-3:9091" and k == 200:  # a restart: every counter starts again
                requests[inst] = {key: 0 for key in requests[inst]}
                latency[inst].reset()
                start_time[inst] = t / 1000 - 5
            if down:
                continue
            rps = base_rps[inst] * (1 + 0.3 * wave(k, 240, n / 3)) * (1 + 0.1 * rng.uniform(-1, 1))
            error_share = 0.08 if inst == "api-2:9091" and 150 <= k < 260 else 0.01
            total = 0
            for method, status, share in routes:
                if status in ("500", "503"):
                    share = error_share / 2
                inc = round(rps * STEP_S * share * (1 + 0.2 * rng.uniform(-1, 1)))
                requests[inst][(method, status)] += inc
                total += inc
                world.get("http_requests_total", job="rental-ml-api", instance=inst,
                          method=method, status=status).add(k, t, requests[inst][(method, status)])
            median = 1.8 if inst == "api-1:9091" and 120 <= k < 180 else 0.12 + 0.02 * n
            latency[inst].observe(k, t, total, median, 0.6)
            active = 8 + 5 * wave(k, 90, n / 3) + rng.uniform(-1, 1)
            if inst == "api-2:9091" and 200 <= k < 240:
                active = 18 + rng.randint(0, 2)
            world.get("database_connection_pool_active", job="rental-ml-api",
                      instance=inst).add(k, t, max(0, round(active)))
            world.get("database_connection_pool_size", job="rental-ml-api",
                      instance=inst).add(k, t, 20)
            world.get("process_start_time_seconds", job="rental-ml-api", instance=inst).add(
                k, t, round(start_time[inst], 3))
            world.get("build_info", job="rental-ml-api", instance=inst,
                      version="1.4.2" if inst != "api-3:9091" else "1.5.0",
                      revision="a1b2c3").add(k, t, 1)
            world.get("search_index_lag_seconds", job="rental-ml-api", instance=inst).add(
                k, t, max(0.0, 120 + 60 * n + 220 * wave(k, 180, 0.1 * n) + rng.uniform(-10, 10)))

        # --- ml-models
        t = world.scrape_time("ml-service:9092", k)
        world.get("up", job="ml-models", instance="ml-service:9092").add(k, t, 1)
        for n, m in enumerate(models):
            calls = round(STEP_S * (30 - 8 * n) * (1 + 0.2 * wave(k, 120, n / 3)) *
                          (1 + 0.1 * rng.uniform(-1, 1)))
            err_rate = 0.03 if m == "pricing" else 0.005
            ml_total[m] += calls
            ml_errors[m] += round(calls * err_rate * (1 + 0.5 * rng.uniform(-1, 1)))
            world.get("ml_inference_total", job="ml-models", instance="ml-service:9092",
                      model_name=m).add(k, t, ml_total[m])
            world.get("ml_inference_errors_total", job="ml-models", instance="ml-service:9092",
                      model_name=m).add(k, t, ml_errors[m])
            median = {"recommender": 0.45 + 0.25 * wave(k, 150), "pricing": 0.04,
                      "search_ranker": 0.12}[m]
            ml_latency[m].observe(k, t, calls, median, 0.5)
        reco.observe(k, t, round(STEP_S * 4 * (1 + 0.1 * rng.uniform(-1, 1))),
                     4.0 if 60 <= k < 130 else 1.6, 0.45)

        # --- postgresql
        t = world.scrape_time("postgres-exporter:9187", k)
        world.get("up", job="postgresql", instance="postgres-exporter:9187").add(k, t, 1)
        for datid, (db, v) in enumerate(pg.items()):
            v[0] += (80000 if db == "rental" else 3000) * (1 + 0.1 * rng.uniform(-1, 1))
            v[1] += (500 if db == "rental" else 400) * (1 + 0.1 * rng.uniform(-1, 1))
            target = dict(job="postgresql", instance="postgres-exporter:9187")
            labels = dict(target, datid=str(16384 + datid), datname=db)
            world.get("pg_stat_database_tup_fetched", **labels).add(k, t, round(v[0]))
            world.get("pg_stat_database_tup_returned", **labels).add(k, t, round(v[1]))
            for state, level in (("active", 60 if db == "rental" else 5), ("idle", 20)):
                surge = db == "rental" and state == "active"
                c = level + 25 * max(0.0, wave(k, 200, 0.2)) * surge + rng.uniform(0, 4)
                world.get("pg_stat_activity_count", datname=db, state=state,
                          **target).add(k, t, round(c))

        # --- redis
        t = world.scrape_time("redis-exporter:9121", k)
        world.get("up", job="redis", instance="redis-exporter:9121").add(k, t, 1)
        hit_share = 0.55 if 150 <= k < 300 else 0.8
        ops = 3000 * (1 + 0.2 * rng.uniform(-1, 1))
        redis[0] += round(ops * hit_share)
        redis[1] += round(ops * (1 - hit_share))
        labels = dict(job="redis", instance="redis-exporter:9121")
        world.get("redis_keyspace_hits_total", **labels).add(k, t, redis[0])
        world.get("redis_keyspace_misses_total", **labels).add(k, t, redis[1])
        world.get("redis_memory_used_bytes", **labels).add(
            k, t, round(1.6e9 + 2.5e8 * wave(k, 300) + rng.uniform(0, 1e7)))
        world.get("redis_memory_max_bytes", **labels).add(k, t, 2147483648)

        # --- node exporters
        for n, node in enumerate(nodes):
            t = world.scrape_time(node, k)
            world.get("up", job="node", instance=node).add(k, t, 1)
            busy = 0.25 + 0.1 * wave(k, 100, n / 2)
            if node == "node-2:9100" and 200 <= k < 280:
                busy = 0.9
            for c in (0, 1):
                b = min(0.98, max(0.02, busy + rng.uniform(-0.05, 0.05)))
                shares = {"idle": 1 - b, "user": b * 0.7, "system": b * 0.25, "iowait": b * 0.05}
                for mode, share in shares.items():
                    cpu_seconds[(node, c, mode)] += STEP_S * share
                    world.get("node_cpu_seconds_total", job="node", instance=node, cpu=str(c),
                              mode=mode).add(k, t, round(cpu_seconds[(node, c, mode)], 2))
            total = 16 * 2 ** 30
            avail = total * (0.45 + 0.1 * wave(k, 60, n / 2))
            if node == "node-2:9100" and 240 <= k < 320:
                avail = total * 0.06
            world.get("node_memory_MemTotal_bytes", job="node", instance=node).add(k, t, total)
            world.get("node_memory_MemAvailable_bytes", job="node", instance=node).add(
                k, t, round(avail + rng.uniform(0, 1e7)))
            for mount, device in (("/", "/dev/sda1"), ("/data", "/dev/sdb1")):
                fs_avail[(node, mount)] -= rng.uniform(0, 2e6) * (5 if mount == "/data" else 1)
                labels = dict(job="node", instance=node, device=device, fstype="ext4",
                              mountpoint=mount)
                world.get("node_filesystem_size_bytes", **labels).add(k, t, fs_size[mount])
                world.get("node_filesystem_avail_bytes", **labels).add(
                    k, t, round(fs_avail[(node, mount)]))

        # --- rentguy services
        for n, inst in enumerate(["app-service:9090", "database-service:9090"]):
            t = world.scrape_time(inst, k)
            world.get("up", job="rentguy_services", instance=inst).add(k, t, 1)
            usage = 55 + 30 * wave(k, 160, n / 2) + rng.uniform(-8, 8)
            world.get("node_cpu_usage", job="rentguy_services", instance=inst).add(
                k, t, round(min(100.0, max(0.5, usage)), 2))
            if inst == "database-service:9090":
                errors = 14 + rng.randint(0, 5) if 80 <= k < 140 else rng.randint(0, 6)
                world.get("database_connection_errors", job="rentguy_services",
                          instance=inst).add(k, t, errors)

        # --- sensors: sensor-3 ends with a staleness marker at k=250, sensor-2 just stops at 300
        sensors = [("sensor-1", "lab"), ("sensor-2", "office"), ("sensor-3", "hall")]
        for n, (inst, room) in enumerate(sensors):
            t = world.scrape_time(inst, k)
            s = world.get("temperature_celsius", job="sensors", instance=inst, room=room)
            if inst == "sensor-3" and k >= 250:
                if k == 250:
                    s.add(k, t, STALE_NAN, stale=True)
                continue
            if inst == "sensor-2" and k >= 300:
                continue
            s.add(k, t, round(20 + 3 * n + 2 * wave(k, 200, n / 3) + rng.uniform(-0.3, 0.3), 2))
            # A gauge with one NaN sample (an exporter's failed division), distinct from staleness.
            depth = math.nan if inst == "sensor-1" and k == 150 else rng.randint(0, 40)
            world.get("job_queue_depth", job="sensors", instance=inst).add(k, t, depth)


def requests_in_order(world, per_request_steps=20):
    for k0 in range(0, STEPS, per_request_steps):
        batch = []
        for s in world.series.values():
            samples = [s.samples[k] for k in range(k0, k0 + per_request_steps) if k in s.samples]
            if samples:
                batch.append((s.labels, samples))
        yield encode_write_request(batch)


def send(url, body):
    req = urllib.request.Request(url, data=snappy_literal_block(body), method="POST", headers={
        "Content-Type": "application/x-protobuf",
        "Content-Encoding": "snappy",
        "X-Prometheus-Remote-Write-Version": "0.1.0",
        "User-Agent": "hestia-promql-diff",
    })
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, resp.read().decode(errors="replace")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(errors="replace")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--meta", required=True)
    ap.add_argument("urls", nargs="+")
    args = ap.parse_args()

    now = int(time.time())
    base_s = now // 60 * 60 - (STEPS * STEP_S + 120)  # the last sample about two minutes ago
    world = World(base_s * 1000)
    simulate(world)
    bodies = list(requests_in_order(world))
    for body in bodies:
        for url in args.urls:
            code, text = send(url, body)
            if not 200 <= code < 300:
                print(f"remote write to {url}: HTTP {code}: {text.strip()}", file=sys.stderr)
                return 1
    last = max(t for s in world.series.values() for t, _, _ in s.samples.values())
    samples = sum(1 for s in world.series.values()
                  for _, _, stale in s.samples.values() if not stale)
    with open(args.meta, "w") as f:
        json.dump({"base": base_s, "last_sample": last / 1000, "samples": samples,
                   "series": len(world.series)}, f)
    print(f"sent {samples} samples in {len(world.series)} series, "
          f"{len(bodies)} requests to each of {len(args.urls)} receivers")
    return 0


if __name__ == "__main__":
    sys.exit(main())
