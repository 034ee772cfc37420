#!/usr/bin/env python3
"""Many concurrent SSE streams from one process, for bench/streams.sh.

Opens --streams HTTP/1.1 connections to --host:--port (one stream each, the i-th connect at
i * --stagger-ms / --streams after the start, so that the streams do not start in step), POSTs
--body to --path on each, and reads the streamed answers with a plain level-triggered epoll loop
(no asyncio: the least client overhead per event; chunked, Content-Length or close-delimited
bodies). Every SSE event of the fake backend carries `sent_ms`, the backend's
clock_gettime(CLOCK_MONOTONIC) in milliseconds when it made the event, just before it queued the
write; this client reads the same clock (time.clock_gettime(CLOCK_MONOTONIC), which is also what
time.monotonic() uses on Linux) right after each recv(), so receive_ms - sent_ms is the event's
delay from the backend to this client's read (every event in one recv shares that recv's time).
The usage chunk a request with `stream_options.include_usage` gets before `[DONE]` has no
`sent_ms`: it is counted apart (usage_chunks, and the completion_tokens it reports), not timed;
--expect-usage makes a stream without exactly one a failed stream.

While the load runs it samples VmRSS of --rss-pid every 200 ms from /proc, and reads the CPU time
of the machine (/proc/stat) and of each --cpu-pid around the load. Prints one JSON object on
stdout: events received and expected, per-stream failures, delay percentiles, bursts (events the
backend stamped within the same millisecond), RSS before / peak / end, CPU seconds. --delays FILE
writes every delay, --trace FILE every event ('receive_s stream event delay_ms'), --rss-log FILE
every RSS sample ('t_s rss_kib open_streams').
"""
import argparse
import gc
import json
import os
import select
import socket
import sys
import time

CLOCK = time.CLOCK_MONOTONIC
SENT = []    # every event's sent_ms, for the burst statistics
TRACE = None  # --trace FILE: (receive ms, stream, event index, delay) of every event


def now_ms():
    return time.clock_gettime(CLOCK) * 1000.0


def machine_ticks():
    """(user + nice + system + irq + softirq + steal, steal) of all CPUs, in clock ticks."""
    with open("/proc/stat") as f:
        v = f.readline().split()
    return int(v[1]) + int(v[2]) + int(v[3]) + int(v[6]) + int(v[7]) + int(v[8]), int(v[8])


def process_ticks(pid):
    """user + system CPU time of a process (all threads), in clock ticks; 0 if it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            v = f.read().rsplit(")", 1)[1].split()
        return int(v[11]) + int(v[12])
    except OSError:
        return 0


def vmrss_kib(pid):
    try:
        with open(f"/proc/{pid}/status", "rb") as f:
            for line in f:
                if line.startswith(b"VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


class Stream:
    __slots__ = ("index", "sock", "state", "buf", "body", "chunk_left", "chunked", "length_left", "phase",
                 "events", "done", "finished", "error", "status", "usage_chunks", "output_tokens")

    def __init__(self, index):
        self.index = index
        self.sock = None
        self.state = "connecting"   # connecting -> head -> body -> finished
        self.buf = b""               # undecoded bytes (head, or transfer framing)
        self.body = b""              # decoded body bytes not yet split into SSE events
        self.chunk_left = 0          # chunked: bytes left in the current chunk's data
        self.phase = "size"          # chunked: size -> data -> crlf -> size ... -> trailer
        self.chunked = False
        self.length_left = None      # Content-Length framing, if any
        self.events = 0
        self.done = False            # saw `data: [DONE]`
        self.finished = False
        self.error = None
        self.status = None
        self.usage_chunks = 0        # events with `usage` and no `sent_ms` (the include_usage chunk)
        self.output_tokens = None    # completion_tokens of the last usage chunk


def parse_events(stream, recv_ms, delays):
    body = stream.body
    start = 0
    while True:
        end = body.find(b"\n\n", start)
        if end < 0:
            break
        event = body[start:end]
        start = end + 2
        for line in event.split(b"\n"):
            if not line.startswith(b"data:"):
                continue
            data = line[5:].strip()
            if data == b"[DONE]":
                stream.done = True
                continue
            at = data.rfind(b'"sent_ms":')
            if at < 0:
                # The usage chunk of include_usage (`"choices":[]`, the whole usage) carries no
                # sent_ms: counted apart, not timed, and not one of the --chunks events.
                if b'"usage":' in data:
                    stream.usage_chunks += 1
                    tokens = data.find(b'"completion_tokens":')
                    if tokens >= 0:
                        digits = data[tokens + 20:tokens + 40].split(b",")[0].split(b"}")[0].strip()
                        stream.output_tokens = int(digits) if digits.isdigit() else None
                    continue
                stream.error = stream.error or "event without sent_ms"
                continue
            tail = data[at + 10:]
            stop = 0
            while stop < len(tail) and tail[stop] in b"0123456789.-":
                stop += 1
            sent_ms = float(tail[:stop])
            delays.append(recv_ms - sent_ms)
            SENT.append(sent_ms)
            if TRACE is not None:
                TRACE.append((recv_ms, stream.index, stream.events, recv_ms - float(tail[:stop])))
            stream.events += 1
    stream.body = body[start:]


def feed_body(stream, data, recv_ms, delays):
    """Decode the transfer framing of `data` and parse the events in it; True once the body ended."""
    if not stream.chunked:
        if stream.length_left is not None:
            data = data[:stream.length_left]
            stream.length_left -= len(data)
        stream.body += data
        parse_events(stream, recv_ms, delays)
        return stream.length_left == 0
    buf = stream.buf + data if stream.buf else data
    pos = 0
    ended = False
    out = []
    while pos < len(buf) or stream.phase == "trailer":
        if stream.phase == "size":
            eol = buf.find(b"\r\n", pos)
            if eol < 0:
                break
            size_text = buf[pos:eol].split(b";")[0].strip()
            try:
                size = int(size_text, 16)
            except ValueError:
                stream.error = f"bad chunk size {size_text[:20]!r}"
                ended = True
                break
            pos = eol + 2
            if size == 0:
                stream.phase = "trailer"
                continue
            stream.chunk_left = size
            stream.phase = "data"
        elif stream.phase == "data":
            take = min(stream.chunk_left, len(buf) - pos)
            out.append(buf[pos:pos + take])
            pos += take
            stream.chunk_left -= take
            if stream.chunk_left == 0:
                stream.phase = "crlf"
        elif stream.phase == "crlf":
            if len(buf) - pos < 2:
                break
            if buf[pos:pos + 2] != b"\r\n":
                stream.error = "chunk data not followed by CRLF"
                ended = True
                break
            pos += 2
            stream.phase = "size"
        else:  # trailer: an empty line, or trailer fields then an empty line
            if buf[pos:pos + 2] == b"\r\n":
                pos += 2
                ended = True
                break
            end = buf.find(b"\r\n\r\n", pos)
            if end < 0:
                break
            pos = end + 4
            ended = True
            break
    stream.buf = buf[pos:]
    if out:
        stream.body += b"".join(out)
        parse_events(stream, recv_ms, delays)
    return ended


def feed(stream, data, recv_ms, delays):
    """Consume bytes read at recv_ms; True once the answer is over (done or failed)."""
    if stream.state == "head":
        stream.buf += data
        end = stream.buf.find(b"\r\n\r\n")
        if end < 0:
            return False
        head = stream.buf[:end].decode("latin-1")
        rest = stream.buf[end + 4:]
        stream.buf = b""
        lines = head.split("\r\n")
        parts = lines[0].split(" ", 2)
        stream.status = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        if stream.status != 200:
            stream.error = f"status {stream.status}"
            return True
        if not headers.get("content-type", "").startswith("text/event-stream"):
            stream.error = f"content-type {headers.get('content-type')!r}"
            return True
        stream.chunked = "chunked" in headers.get("transfer-encoding", "").lower()
        if not stream.chunked and "content-length" in headers:
            stream.length_left = int(headers["content-length"])
        stream.state = "body"
        data = rest
        if not data:
            return False
    return feed_body(stream, data, recv_ms, delays)


def percentile(sorted_values, p):
    if not sorted_values:
        return None
    k = min(len(sorted_values) - 1, max(0, int(round(p / 100.0 * len(sorted_values) + 0.5)) - 1))
    return sorted_values[k]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--path", required=True)
    ap.add_argument("--header", action="append", default=[])
    ap.add_argument("--body", required=True)
    ap.add_argument("--streams", type=int, default=1000)
    ap.add_argument("--chunks", type=int, required=True, help="events expected per stream")
    ap.add_argument("--stagger-ms", type=float, default=0.0)
    ap.add_argument("--interval-spread-ms", type=int, default=0,
                    help="vary the body's chunk_interval_ms by up to this much between streams")
    ap.add_argument("--timeout-s", type=float, default=120.0)
    ap.add_argument("--rss-pid", type=int)
    ap.add_argument("--rss-interval-ms", type=float, default=200.0)
    ap.add_argument("--rss-log")
    ap.add_argument("--cpu-pid", action="append", default=[], help="NAME=PID: report its CPU seconds over the load")
    ap.add_argument("--delays")
    ap.add_argument("--trace", help="write 'receive_s stream event delay_ms' for every event")
    ap.add_argument("--expect-usage", action="store_true",
                    help="every stream must carry one usage chunk (include_usage) before [DONE]")
    ap.add_argument("--label", default="")
    args = ap.parse_args()

    def request_for(index):
        body = args.body
        if args.interval_spread_ms:
            # Stream i asks for chunk_interval_ms + one of -spread..+spread, in turn.
            obj = json.loads(body)
            width = 2 * args.interval_spread_ms + 1
            obj["chunk_interval_ms"] = int(obj["chunk_interval_ms"]) + index % width - args.interval_spread_ms
            body = json.dumps(obj, separators=(",", ":"))
        body = body.encode()
        return (f"POST {args.path} HTTP/1.1\r\nHost: {args.host}:{args.port}\r\n"
                "Content-Type: application/json\r\nAccept: text/event-stream\r\n"
                + "".join(h + "\r\n" for h in args.header)
                + f"Content-Length: {len(body)}\r\n\r\n").encode() + body

    global TRACE
    if args.trace:
        TRACE = []
    gc.disable()  # no collector pauses while timing: the few objects here are freed by refcount
    ep = select.epoll()
    streams = [Stream(i) for i in range(args.streams)]
    by_fd = {}
    delays = []
    rss_samples = []
    rss_before = vmrss_kib(args.rss_pid) if args.rss_pid else None
    cpu_pids = [item.split("=", 1) for item in args.cpu_pid]
    hz = os.sysconf("SC_CLK_TCK")
    busy_start, steal_start = machine_ticks()
    cpu_start = {name: process_ticks(pid) for name, pid in cpu_pids}
    load_start = os.getloadavg()[0]
    start = now_ms()
    connect_at = [start + i * args.stagger_ms / max(1, args.streams) for i in range(args.streams)]
    next_connect = 0
    next_rss = start
    deadline = start + args.timeout_s * 1000.0
    open_now = 0
    max_open = 0
    finished = 0
    rss_log = open(args.rss_log, "w") if args.rss_log else None

    def close(stream, error=None):
        nonlocal open_now, finished
        if stream.finished:
            return
        if error and not stream.error:
            stream.error = error
        stream.finished = True
        finished += 1
        if stream.sock is not None:
            try:
                ep.unregister(stream.sock.fileno())
            except (OSError, ValueError):
                pass
            by_fd.pop(stream.sock.fileno(), None)
            stream.sock.close()
            open_now -= 1

    while finished < args.streams:
        t = now_ms()
        if t > deadline:
            for s in streams:
                if not s.finished:
                    close(s, f"timeout in state {s.state} after {s.events} events")
            break
        while next_connect < args.streams and connect_at[next_connect] <= t:
            s = streams[next_connect]
            next_connect += 1
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sock.setblocking(False)
            try:
                sock.connect((args.host, args.port))
            except BlockingIOError:
                pass
            except OSError as e:
                sock.close()
                close(s, f"connect: {e}")
                continue
            s.sock = sock
            open_now += 1
            max_open = max(max_open, open_now)
            by_fd[sock.fileno()] = s
            ep.register(sock.fileno(), select.EPOLLOUT)
        if args.rss_pid and t >= next_rss:
            rss = vmrss_kib(args.rss_pid)
            if rss is not None:
                rss_samples.append(rss)
                if rss_log:
                    rss_log.write(f"{(t - start) / 1000:.3f} {rss} {open_now}\n")
            next_rss += args.rss_interval_ms
            if next_rss < t:
                next_rss = t + args.rss_interval_ms
        wake = min(deadline, next_rss if args.rss_pid else deadline)
        if next_connect < args.streams:
            wake = min(wake, connect_at[next_connect])
        timeout = max(0.0, (wake - now_ms()) / 1000.0)
        for fd, mask in ep.poll(timeout):
            s = by_fd.get(fd)
            if s is None:
                continue
            if s.state == "connecting":
                err = s.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                if err:
                    close(s, f"connect: {os.strerror(err)}")
                    continue
                try:
                    s.sock.send(request_for(s.index))  # a few hundred bytes: one send on a fresh socket
                except OSError as e:
                    close(s, f"send: {e}")
                    continue
                s.state = "head"
                ep.modify(fd, select.EPOLLIN)
                continue
            try:
                data = s.sock.recv(65536)
            except BlockingIOError:
                continue
            except OSError as e:
                close(s, f"recv: {e}")
                continue
            recv_ms = now_ms()
            if not data:
                if s.state == "body" and not s.chunked and s.length_left is None:
                    close(s)  # close-delimited body
                else:
                    close(s, f"EOF in state {s.state} after {s.events} events")
                continue
            if feed(s, data, recv_ms, delays):
                close(s)
    end_ms = now_ms()
    busy_end, steal_end = machine_ticks()
    cpu_end = {name: process_ticks(pid) for name, pid in cpu_pids}
    self_cpu = os.times()
    if rss_log:
        rss_log.close()

    rss_end = vmrss_kib(args.rss_pid) if args.rss_pid else None
    errors = {}
    for s in streams:
        problem = s.error
        if problem is None and s.events != args.chunks:
            problem = f"{s.events} events instead of {args.chunks}"
        if problem is None and not s.done:
            problem = "no [DONE]"
        if problem is None and args.expect_usage and s.usage_chunks != 1:
            problem = f"{s.usage_chunks} usage chunks instead of 1"
        if problem:
            errors[problem] = errors.get(problem, 0) + 1
    delays.sort()
    if args.delays:
        with open(args.delays, "w") as f:
            f.write("\n".join(f"{d:.3f}" for d in delays))
            f.write("\n")
    if args.trace:
        with open(args.trace, "w") as f:
            for recv_ms, index, event, delay in TRACE:
                f.write(f"{(recv_ms - start) / 1000:.4f} {index} {event} {delay:.3f}\n")
    # Bursts: how many events the backend stamped within the same millisecond. Its streams drift
    # into step (each next event is timed from the loop's time after the previous write), and a
    # burst of k events reaches every hop at once, so the last of them waits for the k - 1 before it.
    bins = {}
    for sent_ms in SENT:
        b = int(sent_ms)
        bins[b] = bins.get(b, 0) + 1
    weighted = sorted(bins[int(x)] for x in SENT)
    summary = {
        "label": args.label,
        "streams": args.streams,
        "streams_ok": sum(1 for s in streams if not s.error and s.events == args.chunks and s.done
                          and (not args.expect_usage or s.usage_chunks == 1)),
        "max_open": max_open,
        "events": len(delays),
        "expected": args.streams * args.chunks,
        "errors": errors,
        "usage_chunks": sum(s.usage_chunks for s in streams),
        "usage_output_tokens": sum(s.output_tokens or 0 for s in streams),
        "duration_s": round((end_ms - start) / 1000.0, 2),
        "delay_ms": {
            "min": delays[0] if delays else None,
            "p50": percentile(delays, 50),
            "p90": percentile(delays, 90),
            "p99": percentile(delays, 99),
            "p999": percentile(delays, 99.9),
            "max": delays[-1] if delays else None,
        },
        "burst": {
            "largest": max(bins.values()) if bins else None,
            "p50": percentile(weighted, 50),
            "p99": percentile(weighted, 99),
            "distinct_ms": len(bins),
        },
        "rss_kib": {
            "before": rss_before,
            "peak": max(rss_samples) if rss_samples else None,
            "end": rss_end,
            "samples": len(rss_samples),
        },
        "cpu_s": dict({name: (cpu_end[name] - cpu_start[name]) / hz for name, _ in cpu_pids},
                      client=round(self_cpu.user + self_cpu.system, 2),
                      machine=(busy_end - busy_start) / hz,
                      steal=(steal_end - steal_start) / hz,
                      machine_capacity=round((end_ms - start) / 1000.0 * os.cpu_count(), 1)),
        "loadavg": [load_start, os.getloadavg()[0]],
        "clock": time.get_clock_info("monotonic").implementation,
    }
    json.dump(summary, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
