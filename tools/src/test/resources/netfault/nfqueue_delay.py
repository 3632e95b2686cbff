#!/usr/bin/env python3
"""Delays packets that nftables sends to an NFQUEUE queue, as netem's delay with uniform jitter would.

Run inside the network namespace whose rules queue the packets (nfnetlink queues are per namespace):

    nfqueue_delay.py --queue 0 --delay-ms 200 --jitter-ms 50 [--max-len 20000] [--stats-ms 1000] [--seed N]
                     [--stats-file PATH]

The kernel hands each queued packet's metadata to this process over netlink (NETLINK_NETFILTER, nfqueue
subsystem) and keeps the packet itself until it hears a verdict naming the packet's id. Each packet is given
NF_ACCEPT after its own delay, drawn uniformly from [delay - jitter, delay + jitter]; packets can leave in a
different order than they came, as with netem's jitter.

Fail-open is left OFF on purpose: with it, a full queue would let packets through undelayed and the delay would
be quietly less than claimed; without it a full queue drops the packet, as netem does beyond its limit, and the
kernel counts the drop (queue_dropped / user_dropped in /proc/net/netfilter/nfnetlink_queue), which the stats
lines report so that a test can insist on zero. The queue length is raised from the kernel's default of 1024.

Output, one JSON object per line on stdout: {"event": "ready", ...} once bound and configured, then
{"event": "stats", ...} every --stats-ms and once more on exit (SIGTERM or SIGINT), each stats line also written
to --stats-file if given (replaced whole, so a reader never sees half a line, and readable after the process is
gone, when a pipe's last line may not be). On exit the packets still
held are released at once (accepted), so stopping the delayer never drops traffic. Errors go to stderr and exit 1.

Standard library only (socket.AF_NETLINK, struct); Linux only; needs CAP_NET_ADMIN.
"""

import argparse
import errno
import heapq
import json
import os
import random
import selectors
import signal
import socket
import struct
import sys
import time
import traceback

NETLINK_NETFILTER = 12
SOL_NETLINK = 270
NETLINK_NO_ENOBUFS = 5
SO_RCVBUFFORCE = 33

NLM_F_REQUEST = 0x1
NLM_F_ACK = 0x4
NLMSG_ERROR = 0x2
NLMSG_DONE = 0x3

NFNL_SUBSYS_QUEUE = 3
NFQNL_MSG_PACKET = (NFNL_SUBSYS_QUEUE << 8) | 0
NFQNL_MSG_VERDICT = (NFNL_SUBSYS_QUEUE << 8) | 1
NFQNL_MSG_CONFIG = (NFNL_SUBSYS_QUEUE << 8) | 2

NFQA_PACKET_HDR = 1
NFQA_VERDICT_HDR = 2

NFQA_CFG_CMD = 1
NFQA_CFG_PARAMS = 2
NFQA_CFG_QUEUE_MAXLEN = 3
NFQA_CFG_MASK = 4
NFQA_CFG_FLAGS = 5
NFQA_CFG_F_FAIL_OPEN = 1

NFQNL_CFG_CMD_BIND = 1
NFQNL_CFG_CMD_UNBIND = 2
NFQNL_COPY_META = 1

NF_ACCEPT = 1
NF_INET_LOCAL_IN = 1
NF_INET_LOCAL_OUT = 3

NLA_TYPE_MASK = 0x3FFF  # without NLA_F_NESTED and NLA_F_NET_BYTEORDER
HOLD_BUCKETS_MS = 5000  # histogram of hold times, 1 ms buckets; longer holds land in the last one


def attribute(kind, data):
    length = 4 + len(data)
    return struct.pack("=HH", length, kind) + data + b"\0" * (-length % 4)


def message(kind, flags, seq, queue, attributes):
    # nfgenmsg: family AF_UNSPEC, version 0, res_id = queue number (big endian).
    payload = struct.pack("=BB", socket.AF_UNSPEC, 0) + struct.pack(">H", queue) + b"".join(attributes)
    return struct.pack("=IHHII", 16 + len(payload), kind, flags, seq, 0) + payload


def messages(buffer):
    """Yields (type, payload) of each netlink message in one received datagram."""
    offset = 0
    while offset + 16 <= len(buffer):
        length, kind, _flags, _seq, _pid = struct.unpack_from("=IHHII", buffer, offset)
        if length < 16 or offset + length > len(buffer):
            raise ValueError("truncated netlink message at %d: length %d of %d" % (offset, length, len(buffer)))
        yield kind, buffer[offset + 16:offset + length]
        offset += (length + 3) & ~3


def attributes(data, offset):
    while offset + 4 <= len(data):
        length, kind = struct.unpack_from("=HH", data, offset)
        if length < 4:
            return
        yield kind & NLA_TYPE_MASK, data[offset + 4:offset + length]
        offset += (length + 3) & ~3


class Delayer:
    """Single-threaded: one loop receives packet ids and sends verdicts when they fall due (a heap by due time)."""

    def __init__(self, queue, delay_ms, jitter_ms, max_len, stats_ms, seed, stats_file):
        self.queue = queue
        self.stats_file = stats_file
        self.delay_s = delay_ms / 1000.0
        self.jitter_s = jitter_ms / 1000.0
        self.max_len = max_len
        self.stats_s = stats_ms / 1000.0
        self.random = random.Random(seed)
        self.seq = 0
        self.held = []  # heap of (due, arrival, packet id)
        self.counts = {"queued": 0, "released": 0, "queued_in": 0, "queued_out": 0, "max_held": 0,
                       "verdict_errors": 0}
        self.hold_histogram = [0] * HOLD_BUCKETS_MS
        self.hold_sum_ms = 0.0
        self.hold_min_ms = None
        self.hold_max_ms = 0.0
        self.late_max_ms = 0.0
        self.stopping = False
        self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_NETFILTER)
        self.sock.bind((0, 0))
        try:
            self.sock.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, 8 * 1024 * 1024)
        except OSError:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 * 1024 * 1024)

    def request(self, attrs):
        """Sends one config request with an ack asked for, and raises if the kernel refuses it."""
        self.seq += 1
        seq = self.seq
        self.sock.send(message(NFQNL_MSG_CONFIG, NLM_F_REQUEST | NLM_F_ACK, seq, self.queue, attrs))
        while True:
            for kind, payload in messages(self.sock.recv(65536)):
                if kind != NLMSG_ERROR:
                    continue  # a packet queued meanwhile (at stop only): unbinding drops it with the queue
                error, acked_seq = struct.unpack_from("=i8xI", payload)
                if acked_seq != seq:
                    self.on_error(error)  # an earlier verdict refused
                elif error != 0:
                    raise OSError(-error, "nfqueue config refused: " + os.strerror(-error))
                else:
                    return

    def on_error(self, error):
        if error != 0:
            # A verdict the kernel refused (the packet id was unknown): count it, keep going.
            self.counts["verdict_errors"] += 1
            print("nfqueue_delay: kernel error %d (%s)" % (-error, os.strerror(-error)), file=sys.stderr, flush=True)

    def configure(self):
        self.request([attribute(NFQA_CFG_CMD, struct.pack(">BBH", NFQNL_CFG_CMD_BIND, 0, socket.AF_INET))])
        # Metadata only: the verdict needs the id, not the payload, so nothing is copied to user space.
        self.request([attribute(NFQA_CFG_PARAMS, struct.pack(">IB", 0, NFQNL_COPY_META))])
        self.request([attribute(NFQA_CFG_QUEUE_MAXLEN, struct.pack(">I", self.max_len))])
        # Fail-open explicitly off (see the module comment): the mask names the flag, the value clears it.
        self.request([attribute(NFQA_CFG_FLAGS, struct.pack(">I", 0)),
                      attribute(NFQA_CFG_MASK, struct.pack(">I", NFQA_CFG_F_FAIL_OPEN))])
        # From here on a full socket buffer must not turn into ENOBUFS errors on recv: the kernel counts the
        # packets it could not hand over (user_dropped), which the stats report.
        self.sock.setsockopt(SOL_NETLINK, NETLINK_NO_ENOBUFS, 1)
        self.sock.setblocking(False)

    def on_packet(self, payload, now):
        for kind, data in attributes(payload, 4):
            if kind == NFQA_PACKET_HDR:
                packet_id, _proto, hook = struct.unpack_from(">IHB", data)
                due = now + self.delay_s + self.random.uniform(-self.jitter_s, self.jitter_s)
                heapq.heappush(self.held, (due, now, packet_id))
                self.counts["queued"] += 1
                if hook == NF_INET_LOCAL_IN:
                    self.counts["queued_in"] += 1
                elif hook == NF_INET_LOCAL_OUT:
                    self.counts["queued_out"] += 1
                self.counts["max_held"] = max(self.counts["max_held"], len(self.held))
                return
        raise ValueError("packet message without NFQA_PACKET_HDR")

    def receive(self):
        while True:
            try:
                data = self.sock.recv(65536)
            except BlockingIOError:
                return
            now = time.monotonic()
            for kind, payload in messages(data):
                if kind == NFQNL_MSG_PACKET:
                    self.on_packet(payload, now)
                elif kind == NLMSG_ERROR:
                    self.on_error(struct.unpack_from("=i", payload)[0])

    def release_due(self, until):
        verdicts = []
        now = time.monotonic()
        while self.held and self.held[0][0] <= until:
            due, arrival, packet_id = heapq.heappop(self.held)
            verdict = attribute(NFQA_VERDICT_HDR, struct.pack(">II", NF_ACCEPT, packet_id))
            self.seq += 1
            verdicts.append(message(NFQNL_MSG_VERDICT, NLM_F_REQUEST, self.seq, self.queue, [verdict]))
            if not self.stopping:
                self.record_hold((now - arrival) * 1000.0, (now - due) * 1000.0)
        # Several verdicts in one datagram: the kernel processes each netlink message in it.
        for start in range(0, len(verdicts), 64):
            self.send_all(b"".join(verdicts[start:start + 64]))
        self.counts["released"] += len(verdicts)

    def send_all(self, data):
        while True:
            try:
                self.sock.send(data)
                return
            except BlockingIOError:
                selectors.DefaultSelector().select(0.001)

    def record_hold(self, hold_ms, late_ms):
        self.hold_histogram[min(int(hold_ms), HOLD_BUCKETS_MS - 1)] += 1
        self.hold_sum_ms += hold_ms
        self.hold_min_ms = hold_ms if self.hold_min_ms is None else min(self.hold_min_ms, hold_ms)
        self.hold_max_ms = max(self.hold_max_ms, hold_ms)
        self.late_max_ms = max(self.late_max_ms, late_ms)

    def percentile(self, fraction):
        total = sum(self.hold_histogram)
        if total == 0:
            return None
        rank = fraction * total
        seen = 0
        for bucket, count in enumerate(self.hold_histogram):
            seen += count
            if seen >= rank:
                return bucket
        return HOLD_BUCKETS_MS - 1

    def kernel_counters(self):
        """This namespace's queue line: queue_num portid queue_total copy_mode copy_range queue_dropped user_dropped id_seq 1."""
        try:
            with open("/proc/net/netfilter/nfnetlink_queue") as f:
                for line in f:
                    fields = line.split()
                    if len(fields) >= 7 and int(fields[0]) == self.queue:
                        return {"kernel_queue_total": int(fields[2]), "kernel_queue_dropped": int(fields[5]),
                                "kernel_user_dropped": int(fields[6])}
        except OSError:
            pass
        return {"kernel_queue_total": -1, "kernel_queue_dropped": -1, "kernel_user_dropped": -1}

    def print_stats(self, final=False, kernel=None):
        released = self.counts["released"]
        measured = sum(self.hold_histogram)
        line = {"event": "stats", "final": final, "time": int(time.time() * 1000), "held": len(self.held)}
        line.update(self.counts)
        line.update({
            "hold_min_ms": round(self.hold_min_ms, 1) if self.hold_min_ms is not None else None,
            "hold_mean_ms": round(self.hold_sum_ms / measured, 1) if measured else None,
            "hold_p50_ms": self.percentile(0.5), "hold_p99_ms": self.percentile(0.99),
            "hold_max_ms": round(self.hold_max_ms, 1), "late_max_ms": round(self.late_max_ms, 1),
            "released_measured": measured, "released_unmeasured": released - measured})
        line.update(kernel if kernel is not None else self.kernel_counters())
        text = json.dumps(line)
        print(text, flush=True)
        if self.stats_file:
            with open(self.stats_file + ".tmp", "w") as f:
                f.write(text + "\n")
            os.replace(self.stats_file + ".tmp", self.stats_file)

    def stop(self, *_):
        self.stopping = True

    def run(self):
        self.configure()
        print(json.dumps({"event": "ready", "queue": self.queue, "delay_ms": self.delay_s * 1000,
                          "jitter_ms": self.jitter_s * 1000, "max_len": self.max_len, "fail_open": False,
                          "pid": os.getpid()}), flush=True)
        selector = selectors.DefaultSelector()
        selector.register(self.sock, selectors.EVENT_READ)
        # A signal writes a byte here, so that SIGTERM ends the wait at once instead of at the next wake-up.
        wake_read, wake_write = socket.socketpair()
        wake_read.setblocking(False)
        wake_write.setblocking(False)
        signal.set_wakeup_fd(wake_write.fileno())
        selector.register(wake_read, selectors.EVENT_READ)
        next_stats = time.monotonic() + self.stats_s
        while not self.stopping:
            now = time.monotonic()
            wake = next_stats if not self.held else min(next_stats, self.held[0][0])
            for key, _ in selector.select(max(0.0, wake - now)):
                if key.fileobj is self.sock:
                    self.receive()
            now = time.monotonic()
            self.release_due(now)
            if now >= next_stats:
                self.print_stats()
                next_stats = now + self.stats_s
        # Stop: everything still held goes now, then the queue is unbound (later packets to it would be dropped,
        # so the rules that feed it must be gone first). The final counters are printed even if a step fails.
        kernel = None
        try:
            self.receive()
            self.release_due(float("inf"))
            kernel = self.kernel_counters()  # read before unbinding, which removes the queue and its counters
            self.sock.setblocking(True)
            self.request([attribute(NFQA_CFG_CMD, struct.pack(">BBH", NFQNL_CFG_CMD_UNBIND, 0, socket.AF_INET))])
        finally:
            self.print_stats(final=True, kernel=kernel)


def main():
    parser = argparse.ArgumentParser(description="Delay NFQUEUE'd packets by delay +- uniform jitter.")
    parser.add_argument("--queue", type=int, default=0)
    parser.add_argument("--delay-ms", type=float, required=True)
    parser.add_argument("--jitter-ms", type=float, default=0.0)
    parser.add_argument("--max-len", type=int, default=20000)
    parser.add_argument("--stats-ms", type=float, default=1000.0)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--stats-file", default=None)
    args = parser.parse_args()
    if not 0 <= args.queue <= 65535:
        parser.error("--queue must be 0 to 65535")
    if args.jitter_ms < 0 or args.delay_ms - args.jitter_ms < 0:
        parser.error("need 0 <= jitter <= delay")
    if args.max_len < 1 or args.stats_ms <= 0:
        parser.error("--max-len and --stats-ms must be positive")
    delayer = Delayer(args.queue, args.delay_ms, args.jitter_ms, args.max_len, args.stats_ms, args.seed,
                      args.stats_file)
    signal.signal(signal.SIGTERM, delayer.stop)
    signal.signal(signal.SIGINT, delayer.stop)
    try:
        delayer.run()
    except Exception:  # one report of any failure, with its traceback, and a non-zero status
        traceback.print_exc()
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
