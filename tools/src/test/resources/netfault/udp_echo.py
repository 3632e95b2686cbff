#!/usr/bin/env python3
"""A UDP round-trip probe for checking a delay fixture independently of the delayer's own counts.

    udp_echo.py serve PORT                       echoes every datagram back to its sender until killed
    udp_echo.py probe HOST PORT COUNT INTERVAL_MS prints {"rtt_ms": X} per answer, then {"lost": N}

Standard library only. A probe waits up to 2 s for each answer and counts it lost after that.
"""

import json
import socket
import struct
import sys
import time


def serve(port):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("0.0.0.0", port))
    print(json.dumps({"event": "ready", "port": port}), flush=True)
    while True:
        data, sender = sock.recvfrom(2048)
        sock.sendto(data, sender)


def probe(host, port, count, interval_ms):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.settimeout(2.0)
    lost = 0
    for seq in range(count):
        sent = time.monotonic()
        sock.sendto(struct.pack(">Id", seq, sent), (host, port))
        while True:
            try:
                data, _ = sock.recvfrom(2048)
            except socket.timeout:
                lost += 1
                break
            if struct.unpack(">Id", data)[0] == seq:
                print(json.dumps({"rtt_ms": round((time.monotonic() - sent) * 1000.0, 1)}), flush=True)
                break
        time.sleep(interval_ms / 1000.0)
    print(json.dumps({"lost": lost}), flush=True)


def main(argv):
    if len(argv) == 3 and argv[1] == "serve":
        serve(int(argv[2]))
    elif len(argv) == 6 and argv[1] == "probe":
        probe(argv[2], int(argv[3]), int(argv[4]), float(argv[5]))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
