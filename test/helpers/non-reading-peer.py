"""A Bitcoin peer that finishes the version handshake, then sends pings and never reads again.

Its receive buffer is set tiny before connecting, so the node's pongs fill the TCP window at once and
the node's send buffer stops draining (Node cannot shrink a socket's receive buffer, Python can).
Usage: non-reading-peer.py HOST PORT LOCAL_ADDRESS MAGIC_HEX PINGS
"""
import hashlib
import socket
import struct
import sys
import time

host, port, local, magic_hex, pings = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5])
magic = bytes.fromhex(magic_hex)


def message(command, payload=b''):
    checksum = hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4]
    return magic + command.encode().ljust(12, b'\0') + struct.pack('<I', len(payload)) + checksum + payload


def net_addr(ip, port_):
    return struct.pack('<Q', 0) + bytes(10) + b'\xff\xff' + socket.inet_aton(ip) + struct.pack('>H', port_)


agent = b'/non-reading:1.0/'
version = (struct.pack('<iQq', 70016, 1 | 8, int(time.time())) + net_addr(host, port) + net_addr('0.0.0.0', 0)
           + struct.pack('<Q', 0x5eed) + bytes([len(agent)]) + agent + struct.pack('<i?', 0, False))

s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 2048)
s.bind((local, 0))
s.connect((host, port))
s.sendall(message('version', version))
seen = b''
while b'verack' not in seen:
    chunk = s.recv(4096)
    if not chunk:
        sys.exit('closed during the handshake')
    seen += chunk
s.sendall(message('verack'))
print('ready', flush=True)
# In batches of 1000: one send call each, so a loaded machine's Python is not what paces the node's pongs.
batch = b''.join(message('ping', struct.pack('<Q', i)) for i in range(1000))
for _ in range(max(1, pings // 1000)):
    s.sendall(batch)
print('sent', flush=True)
time.sleep(120)
