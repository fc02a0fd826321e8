#!/usr/bin/python3
"""rsync as a router's rsync 3.0/3.1 reports errors: without the role tag.

Since 3.2.0 rsync writes `rsync: [receiver] mkstemp "…" failed: …`; older releases wrote
`rsync: mkstemp "…" failed: …`. This wrapper runs the real rsync and removes the
` [sender]`, ` [receiver]` or ` [generator]` after `rsync:` from every message it emits.

As a server (`rsync --server …`, what ssh runs on the far side) its messages travel inside the
multiplexed protocol stream on standard output, not on standard error, so that stream is parsed
and each message frame rewritten with its new length. Standard input passes through untouched.
Compression (`-z`) is not supported: its negotiation is not parsed here.
"""

import os
import re
import subprocess
import sys
import threading

REAL_RSYNC = os.environ.get('SNAPTRAY_REAL_RSYNC', '/usr/bin/rsync')
TAG = re.compile(rb'^(rsync(?: error| warning)?: )\[(?:sender|receiver|generator|Receiver)\] ',
                 re.MULTILINE)
MPLEX_BASE = 7
# Message codes whose payload is text (rsync.h: MSG_ERROR_XFER, MSG_INFO, MSG_ERROR,
# MSG_WARNING, MSG_ERROR_SOCKET, MSG_LOG, MSG_CLIENT, MSG_ERROR_UTF8).
TEXT_MESSAGES = {1, 2, 3, 4, 5, 6, 7, 8}
CF_VARINT_FLIST_FLAGS = 0x80


class Unbuffered:
    """Writes through at once: the peer may wait for these bytes before it says anything more."""

    def __init__(self, stream):
        self.stream = stream

    def write(self, data):
        self.stream.write(data)
        self.stream.flush()


def untag(text):
    return TAG.sub(rb'\1', text)


def read_exact(stream, n):
    data = b''
    while len(data) < n:
        chunk = stream.read(n - len(data))
        if not chunk:
            raise EOFError
        data += chunk
    return data


def copy_varint(src, dst):
    """Copies one rsync varint (io.c read_varint) and returns its value."""
    first = read_exact(src, 1)
    extra = 0
    for bit in (0x80, 0x40, 0x20, 0x10, 0x08, 0x04):
        if first[0] & bit:
            extra += 1
        else:
            break
    rest = read_exact(src, extra) if extra else b''
    dst.write(first + rest)
    value = int.from_bytes(rest, 'little')
    if extra < 6:
        value |= (first[0] & ((1 << (8 - extra)) - 1)) << (8 * extra)
    return value


def copy_vstring(src, dst):
    """Copies one rsync vstring (io.c write_vstring): a 1- or 2-byte length, then the text."""
    head = read_exact(src, 1)
    length = head[0]
    if length & 0x80:
        low = read_exact(src, 1)
        head += low
        length = (length & 0x7F) * 0x100 + low[0]
    dst.write(head + read_exact(src, length))


def server_options(argv):
    short = ''
    longs = []
    for arg in argv:
        if arg == '.' or arg == '--':
            break
        if arg.startswith('--'):
            longs.append(arg.split('=', 1)[0])
        elif arg.startswith('-'):
            # The client's capabilities follow `e` (`-logDtpre.iLsfxCIvu`): not option letters.
            short += arg[1:].split('e.', 1)[0]
    return short, longs, argv


def copy_handshake(src, dst, argv):
    """Copies what the server writes before it multiplexes its output (compat.c setup_protocol)."""
    short, longs, _ = server_options(argv)
    if 'z' in short or '--compress' in longs:
        sys.stderr.write('untagged rsync wrapper: compression is not supported\n')
        sys.exit(1)
    protocol = int.from_bytes(read_exact(src, 4), 'little')
    dst.write(protocol.to_bytes(4, 'little'))
    for arg in argv:
        if arg.startswith('--protocol='):
            protocol = min(protocol, int(arg.split('=', 1)[1]))
    if protocol >= 30:
        flags = copy_varint(src, dst)
        if flags & CF_VARINT_FLIST_FLAGS and '--checksum-choice' not in longs:
            copy_vstring(src, dst)
    dst.write(read_exact(src, 4))  # the checksum seed


def copy_frames(src, dst):
    """Copies multiplexed frames, rewriting the text of message frames."""
    while True:
        head = src.read(4)
        if not head:
            return
        head += read_exact(src, 4 - len(head))
        value = int.from_bytes(head, 'little')
        code = (value >> 24) - MPLEX_BASE
        payload = read_exact(src, value & 0xFFFFFF)
        if code in TEXT_MESSAGES:
            payload = untag(payload)
            head = (((code + MPLEX_BASE) << 24) | len(payload)).to_bytes(4, 'little')
        dst.write(head + payload)


def filter_stderr(src, dst):
    for line in iter(src.readline, b''):
        dst.write(untag(line))


def main():
    argv = sys.argv[1:]
    is_server = '--server' in argv
    child = subprocess.Popen([REAL_RSYNC, *argv], stdout=subprocess.PIPE if is_server else None,
                             stderr=subprocess.PIPE)
    errors = threading.Thread(target=filter_stderr,
                              args=(child.stderr, Unbuffered(sys.stderr.buffer)), daemon=True)
    errors.start()
    if is_server:
        out = Unbuffered(sys.stdout.buffer)
        try:
            copy_handshake(child.stdout, out, argv)
            copy_frames(child.stdout, out)
        except (EOFError, BrokenPipeError):
            pass
    code = child.wait()
    errors.join()
    sys.exit(code)


if __name__ == '__main__':
    main()
